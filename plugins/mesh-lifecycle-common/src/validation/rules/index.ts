import { ValidationRule } from '../rule';
import { authorizationHostNotFound } from './authorizationHostNotFound';
import { authorizationNamespaceNotFound } from './authorizationNamespaceNotFound';
import { authorizationNeedsMtls } from './authorizationNeedsMtls';
import { authorizationPrincipalNotFound } from './authorizationPrincipalNotFound';
import { destinationHostNotFound } from './destinationHostNotFound';
import { exportToNamespaceNotFound } from './exportToNamespaceNotFound';
import { gatewayHostConflict } from './gatewayHostConflict';
import { gatewayNomenclature } from './gatewayNomenclature';
import { gatewayNotFound } from './gatewayNotFound';
import { gatewaySelectorMatchesNoWorkload } from './gatewaySelectorMatchesNoWorkload';
import { meshDisableDestinationRuleMissing } from './meshDisableDestinationRuleMissing';
import { meshMtlsDestinationRuleMissing } from './meshMtlsDestinationRuleMissing';
import { meshMtlsPolicyMissing } from './meshMtlsPolicyMissing';
import { multipleDestinationRules } from './multipleDestinationRules';
import { multipleVirtualServices } from './multipleVirtualServices';
import { namespaceDisableDestinationRuleMissing } from './namespaceDisableDestinationRuleMissing';
import { namespaceMtlsDestinationRuleMissing } from './namespaceMtlsDestinationRuleMissing';
import { namespaceMtlsPolicyMissing } from './namespaceMtlsPolicyMissing';
import { repeatedRouteDestination } from './repeatedRouteDestination';
import { routeHostNotFound } from './routeHostNotFound';
import { routeSubsetNotFound } from './routeSubsetNotFound';
import { servicePortAppProtocol, servicePortName } from './servicePortProtocol';
import { singleDestinationWeight } from './singleDestinationWeight';
import { subsetLabelsMatchNoWorkload } from './subsetLabelsMatchNoWorkload';
import { tlsDisabledForStrictWorkloads } from './tlsDisabledForStrictWorkloads';
import {
  tlsDisabledUnderStrictMeshPolicy,
  tlsDisabledUnderStrictPolicy,
} from './tlsDisabledUnderStrictMtls';
import { workloadNotCovered } from './workloadNotCovered';

/**
 * Every check of the validator, in the order findings are listed.
 *
 * @internal
 */
export const VALIDATION_RULES: ReadonlyArray<ValidationRule> = [
  routeHostNotFound,
  gatewayNotFound,
  gatewayNomenclature,
  routeSubsetNotFound,
  destinationHostNotFound,
  subsetLabelsMatchNoWorkload,
  multipleVirtualServices,
  multipleDestinationRules,
  singleDestinationWeight,
  repeatedRouteDestination,
  exportToNamespaceNotFound,
  tlsDisabledUnderStrictPolicy,
  tlsDisabledUnderStrictMeshPolicy,
  tlsDisabledForStrictWorkloads,
  meshMtlsPolicyMissing,
  namespaceMtlsPolicyMissing,
  meshMtlsDestinationRuleMissing,
  namespaceMtlsDestinationRuleMissing,
  namespaceDisableDestinationRuleMissing,
  meshDisableDestinationRuleMissing,
  gatewayHostConflict,
  gatewaySelectorMatchesNoWorkload,
  servicePortName,
  servicePortAppProtocol,
  authorizationNamespaceNotFound,
  authorizationPrincipalNotFound,
  authorizationHostNotFound,
  authorizationNeedsMtls,
  workloadNotCovered,
];
