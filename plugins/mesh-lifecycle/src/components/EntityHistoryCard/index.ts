export { EntityHistoryCard } from './EntityHistoryCard';
