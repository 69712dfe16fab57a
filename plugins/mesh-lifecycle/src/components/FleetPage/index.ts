export { FleetPage } from './FleetPage';
export { FleetTable } from './FleetBoard';
