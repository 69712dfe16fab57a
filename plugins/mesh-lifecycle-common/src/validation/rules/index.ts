import { ValidationRule } from '../rule';
import { authorizationNamespaceNotFound } from './authorizationNamespaceNotFound';
import { authorizationPrincipalNotFound } from './authorizationPrincipalNotFound';
import { multipleDestinationRules } from './multipleDestinationRules';
import { multipleVirtualServices } from './multipleVirtualServices';
import { repeatedRouteDestination } from './repeatedRouteDestination';
import { routeHostNotFound } from './routeHostNotFound';
import { routeSubsetNotFound } from './routeSubsetNotFound';
import { servicePortAppProtocol, servicePortName } from './servicePortProtocol';
import { singleDestinationWeight } from './singleDestinationWeight';
import { subsetLabelsMatchNoWorkload } from './subsetLabelsMatchNoWorkload';
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
  routeSubsetNotFound,
  subsetLabelsMatchNoWorkload,
  multipleVirtualServices,
  multipleDestinationRules,
  singleDestinationWeight,
  repeatedRouteDestination,
  tlsDisabledUnderStrictPolicy,
  tlsDisabledUnderStrictMeshPolicy,
  servicePortName,
  servicePortAppProtocol,
  authorizationNamespaceNotFound,
  authorizationPrincipalNotFound,
  workloadNotCovered,
];
