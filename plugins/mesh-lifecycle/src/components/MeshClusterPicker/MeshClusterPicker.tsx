import { ResponseError } from '@backstage/errors';
import { useApi } from '@backstage/frontend-plugin-api';
import CircularProgress from '@material-ui/core/CircularProgress';
import InputAdornment from '@material-ui/core/InputAdornment';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import useAsync from 'react-use/esm/useAsync';
import { meshLifecycleApiRef } from '../../api';
import { clusterLabel, clusterOptions } from './clusterOptions';
import { MeshClusterPickerProps } from './schema';

const DEFAULT_TITLE = 'Cluster';
const DEFAULT_DESCRIPTION = 'The cluster to deploy to';

/**
 * Scaffolder field (`ui:field: MeshClusterPicker`): picks one of the
 * clusters configured for Mesh Lifecycle, shown as `name (environment)`; its
 * value is the cluster's name. `ui:options.allowedEnvironments` narrows the
 * choice. When the clusters cannot be listed it says why and takes the name
 * as free text, so that the form still works.
 *
 * @public
 */
export function MeshClusterPicker(props: MeshClusterPickerProps) {
  const {
    onChange,
    required,
    disabled,
    readonly,
    schema: { title = DEFAULT_TITLE, description = DEFAULT_DESCRIPTION },
    uiSchema,
    rawErrors,
    formData,
    idSchema,
  } = props;
  const allowedEnvironments = uiSchema?.['ui:options']?.allowedEnvironments;
  const api = useApi(meshLifecycleApiRef);
  const clusters = useAsync(() => api.getClusters(), [api]);

  const value = formData ?? '';
  const common = {
    id: idSchema?.$id,
    label: title,
    required,
    disabled: disabled || readonly,
    margin: 'normal' as const,
    fullWidth: true,
    error: (rawErrors?.length ?? 0) > 0,
    FormHelperTextProps: { style: { marginLeft: 0 } },
  };

  if (clusters.loading) {
    return (
      <TextField
        {...common}
        value={value}
        disabled
        helperText="Loading the configured clusters…"
        InputProps={{
          endAdornment: (
            <InputAdornment position="end">
              <CircularProgress size={20} aria-label="Loading clusters" />
            </InputAdornment>
          ),
        }}
      />
    );
  }

  if (clusters.error || !clusters.value) {
    // A ResponseError's own message is only the HTTP status.
    const reason =
      clusters.error instanceof ResponseError
        ? `${clusters.error.body.error.message}, HTTP ${clusters.error.statusCode}`
        : clusters.error?.message ?? 'no answer';
    return (
      <TextField
        {...common}
        value={value}
        onChange={event => onChange(event.target.value || undefined)}
        helperText={
          <span role="alert">
            Could not list the clusters ({reason}); type the cluster's name
            instead.
          </span>
        }
      />
    );
  }

  const options = clusterOptions(clusters.value.clusters, allowedEnvironments);
  const known = options.some(cluster => cluster.name === value);
  return (
    <TextField
      {...common}
      select
      value={value}
      onChange={event => onChange(event.target.value || undefined)}
      helperText={
        options.length === 0
          ? `No cluster is configured${
              allowedEnvironments
                ? ` for ${allowedEnvironments.join(', ')}`
                : ''
            }`
          : description
      }
    >
      {!required && (
        <MenuItem value="">
          <em>None</em>
        </MenuItem>
      )}
      {/* A value set before (e.g. from the URL) stays visible, and the
          field's validation names what is wrong with it. */}
      {value !== '' && !known && <MenuItem value={value}>{value}</MenuItem>}
      {options.map(cluster => (
        <MenuItem key={cluster.name} value={cluster.name}>
          {clusterLabel(cluster)}
        </MenuItem>
      ))}
    </TextField>
  );
}
