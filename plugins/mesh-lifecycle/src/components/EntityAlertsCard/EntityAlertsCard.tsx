import { EntityAnswerCard } from '../common/EntityAnswerCard';
import { AlertsView } from './AlertsView';

/**
 * Entity card: the service's alert rules, firing and pending alerts first,
 * with their silences.
 *
 * @public
 */
export function EntityAlertsCard() {
  return (
    <EntityAnswerCard
      title="Mesh alerts"
      load={(api, ref) => api.getAlerts(ref)}
    >
      {answer => <AlertsView answer={answer} />}
    </EntityAnswerCard>
  );
}
