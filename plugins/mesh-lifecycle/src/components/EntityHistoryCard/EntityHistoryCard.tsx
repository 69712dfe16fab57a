import { EntityAnswerCard } from '../common/EntityAnswerCard';
import { HistoryView } from './HistoryView';

/**
 * Entity card: the recorded changes of the service's phase, health and
 * gates, newest first.
 *
 * @public
 */
export function EntityHistoryCard() {
  return (
    <EntityAnswerCard
      title="Lifecycle history"
      load={(api, ref) => api.getHistory(ref)}
    >
      {answer => <HistoryView answer={answer} />}
    </EntityAnswerCard>
  );
}
