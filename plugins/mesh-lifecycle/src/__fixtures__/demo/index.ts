// Written by scripts/record-demo-answers.mjs: the answers of the demo
// backend, recorded for the component tests. Do not edit.
import checkoutServiceDeclaration from './checkout-service.declaration.json';
import checkoutServiceLifecycle from './checkout-service.lifecycle.json';
import checkoutServiceMesh from './checkout-service.mesh.json';
import checkoutServiceTraffic from './checkout-service.traffic.json';
import checkoutServiceDependencies from './checkout-service.dependencies.json';
import checkoutServiceAlerts from './checkout-service.alerts.json';
import checkoutServiceHistory from './checkout-service.history.json';
import legacyPricingServiceLifecycle from './legacy-pricing-service.lifecycle.json';
import legacyPricingServiceMesh from './legacy-pricing-service.mesh.json';
import paymentServiceLifecycle from './payment-service.lifecycle.json';
import paymentServiceAlerts from './payment-service.alerts.json';
import searchServiceLifecycle from './search-service.lifecycle.json';
import searchServiceMesh from './search-service.mesh.json';
import searchServiceAlerts from './search-service.alerts.json';
import recommendationServiceDeclaration from './recommendation-service.declaration.json';
import recommendationServiceAlerts from './recommendation-service.alerts.json';
import recommendationServiceLifecycle from './recommendation-service.lifecycle.json';
import loyaltyServiceLifecycle from './loyalty-service.lifecycle.json';
import loyaltyServiceAlerts from './loyalty-service.alerts.json';
import fleet from './fleet.json';
import fleetPhases from './fleet-phases.json';
import paymentServiceShifts from './payment-service.shifts.json';
import legacyPricingServiceRetirements from './legacy-pricing-service.retirements.json';
import fleetRetirements from './fleet-retirements.json';
import searchServiceLifecycleClusterDown from './search-service.lifecycle.cluster-down.json';
import searchServiceMeshClusterDown from './search-service.mesh.cluster-down.json';
import recommendationServiceMeshClusterDown from './recommendation-service.mesh.cluster-down.json';
import fleetClusterDown from './fleet.cluster-down.json';
import checkoutServiceShifts from './checkout-service.shifts.json';
import fleetRetirementsRefused from './fleet-retirements.refused.json';
import legacyPricingServiceRetirementsCompleted from './legacy-pricing-service.retirements.completed.json';
import legacyPricingServiceLifecycleRetired from './legacy-pricing-service.lifecycle.retired.json';
import legacyPricingServiceArchive from './legacy-pricing-service.archive.json';

/** The recorded answers by name, e.g. `payment-service.alerts`. */
export const RECORDED_ANSWERS = {
  'checkout-service.declaration': checkoutServiceDeclaration,
  'checkout-service.lifecycle': checkoutServiceLifecycle,
  'checkout-service.mesh': checkoutServiceMesh,
  'checkout-service.traffic': checkoutServiceTraffic,
  'checkout-service.dependencies': checkoutServiceDependencies,
  'checkout-service.alerts': checkoutServiceAlerts,
  'checkout-service.history': checkoutServiceHistory,
  'legacy-pricing-service.lifecycle': legacyPricingServiceLifecycle,
  'legacy-pricing-service.mesh': legacyPricingServiceMesh,
  'payment-service.lifecycle': paymentServiceLifecycle,
  'payment-service.alerts': paymentServiceAlerts,
  'search-service.lifecycle': searchServiceLifecycle,
  'search-service.mesh': searchServiceMesh,
  'search-service.alerts': searchServiceAlerts,
  'recommendation-service.declaration': recommendationServiceDeclaration,
  'recommendation-service.alerts': recommendationServiceAlerts,
  'recommendation-service.lifecycle': recommendationServiceLifecycle,
  'loyalty-service.lifecycle': loyaltyServiceLifecycle,
  'loyalty-service.alerts': loyaltyServiceAlerts,
  fleet: fleet,
  'fleet-phases': fleetPhases,
  'payment-service.shifts': paymentServiceShifts,
  'legacy-pricing-service.retirements': legacyPricingServiceRetirements,
  'fleet-retirements': fleetRetirements,
  'search-service.lifecycle.cluster-down': searchServiceLifecycleClusterDown,
  'search-service.mesh.cluster-down': searchServiceMeshClusterDown,
  'recommendation-service.mesh.cluster-down':
    recommendationServiceMeshClusterDown,
  'fleet.cluster-down': fleetClusterDown,
  'checkout-service.shifts': checkoutServiceShifts,
  'fleet-retirements.refused': fleetRetirementsRefused,
  'legacy-pricing-service.retirements.completed':
    legacyPricingServiceRetirementsCompleted,
  'legacy-pricing-service.lifecycle.retired':
    legacyPricingServiceLifecycleRetired,
  'legacy-pricing-service.archive': legacyPricingServiceArchive,
};
