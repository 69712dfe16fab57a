export * from './shiftPlan';
export * from './judgeAnalysis';
