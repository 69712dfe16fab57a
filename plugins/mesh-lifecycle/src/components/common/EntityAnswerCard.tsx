import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import {
  CompoundEntityRef,
  getCompoundEntityRef,
} from '@backstage/catalog-model';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import { ButtonIcon } from '@backstage/ui';
import { RiRefreshLine } from '@remixicon/react';
import { ReactNode } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { MeshLifecycleApi, meshLifecycleApiRef } from '../../api';

/** The refresh button of a card: asks again, disabled while it asks. */
export function RefreshButton(props: {
  loading: boolean;
  onPress: () => void;
}) {
  return (
    <ButtonIcon
      aria-label="Refresh"
      icon={<RiRefreshLine />}
      variant="tertiary"
      isDisabled={props.loading}
      onPress={props.onPress}
    />
  );
}

/**
 * The body of a card while its answer loads or after it failed; the
 * answer's view otherwise. States stay inside the card, under its title.
 */
export function AnswerBody<T>(props: {
  value?: T;
  loading: boolean;
  error?: Error;
  children: (value: T) => ReactNode;
}) {
  return (
    <>
      {props.loading && props.value === undefined && <Progress />}
      {props.error && <ResponseErrorPanel error={props.error} />}
      {props.value !== undefined && !props.error && props.children(props.value)}
    </>
  );
}

/**
 * One answer of the backend for the current entity, asked again when the
 * entity or one of `deps` changes, or on `retry`.
 */
export function useEntityAnswer<T>(
  load: (api: MeshLifecycleApi, ref: CompoundEntityRef) => Promise<T>,
  deps: ReadonlyArray<unknown> = [],
) {
  const { entity } = useEntity();
  const api = useApi(meshLifecycleApiRef);
  const ref = getCompoundEntityRef(entity);
  return useAsyncRetry(
    () => load(api, ref),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [api, ref.kind, ref.namespace, ref.name, ...deps],
  );
}

/**
 * An entity card showing one answer of the backend for the current entity,
 * with a refresh button and its loading and error states.
 */
export function EntityAnswerCard<T>(props: {
  title: string;
  load: (api: MeshLifecycleApi, ref: CompoundEntityRef) => Promise<T>;
  children: (value: T) => ReactNode;
}) {
  const { value, loading, error, retry } = useEntityAnswer(props.load);
  return (
    <EntityInfoCard
      className="mesh-lifecycle"
      title={props.title}
      headerActions={<RefreshButton loading={loading} onPress={retry} />}
    >
      <AnswerBody value={value} loading={loading} error={error}>
        {props.children}
      </AnswerBody>
    </EntityInfoCard>
  );
}
