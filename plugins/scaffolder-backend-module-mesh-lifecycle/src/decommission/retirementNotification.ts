import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import { ServiceDependents } from './liveCallers';

/** The notifications' topic, for users' settings and filters. */
export const RETIREMENT_TOPIC = 'mesh-lifecycle.retirement';

/**
 * What filing a retirement request tells the owners of the service's
 * dependents (catalog dependents and live callers): which service goes,
 * why, what replaces it, which of theirs still use it, and where to look.
 * Nothing to send when nothing depends on it.
 */
export function retirementNotification(options: {
  entityRef: string;
  requestedBy?: string;
  reason: string;
  replacement?: string;
  /** The drain window, as words (`7 days`). */
  drainWindow: string;
  dependents: ServiceDependents;
}): NotificationSendOptions | undefined {
  const { dependents } = options;
  if (dependents.owners.length === 0) return undefined;
  const { kind, namespace, name } = parseEntityRef(options.entityRef);
  const replacement =
    options.replacement && options.replacement !== 'none'
      ? `Move to ${options.replacement}`
      : 'It has no replacement';
  return {
    recipients: { type: 'entity', entityRef: dependents.owners },
    payload: {
      title: `${name} is being retired`,
      description: `${options.requestedBy ?? 'Someone'} filed its retirement: ${
        options.reason
      }. Still using it: ${dependents.dependents.join(
        ', ',
      )}. ${replacement}: it is removed once nothing has called it for ${
        options.drainWindow
      }.`,
      link: `/catalog/${namespace}/${kind.toLocaleLowerCase('en-US')}/${name}`,
      severity: 'high',
      topic: RETIREMENT_TOPIC,
      // A later request of the same service updates this notification.
      scope: `retirement:${options.entityRef}`,
    },
  };
}
