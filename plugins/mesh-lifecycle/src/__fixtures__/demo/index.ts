// Written by scripts/record-demo-answers.mjs: the answers of the demo
// backend, recorded for the component tests. Do not edit.
import checkoutServiceAlerts from './checkout-service.alerts.json';
import checkoutServiceDeclaration from './checkout-service.declaration.json';
import checkoutServiceDependencies from './checkout-service.dependencies.json';
import checkoutServiceHistory from './checkout-service.history.json';
import checkoutServiceLifecycle from './checkout-service.lifecycle.json';
import checkoutServiceMesh from './checkout-service.mesh.json';
import checkoutServiceTraffic from './checkout-service.traffic.json';
import fleetPhases from './fleet-phases.json';
import fleet from './fleet.json';
import legacyPricingServiceLifecycle from './legacy-pricing-service.lifecycle.json';
import legacyPricingServiceMesh from './legacy-pricing-service.mesh.json';
import loyaltyServiceAlerts from './loyalty-service.alerts.json';
import loyaltyServiceLifecycle from './loyalty-service.lifecycle.json';
import paymentServiceAlerts from './payment-service.alerts.json';
import paymentServiceLifecycle from './payment-service.lifecycle.json';
import recommendationServiceAlerts from './recommendation-service.alerts.json';
import recommendationServiceDeclaration from './recommendation-service.declaration.json';
import recommendationServiceLifecycle from './recommendation-service.lifecycle.json';
import searchServiceAlerts from './search-service.alerts.json';
import searchServiceLifecycle from './search-service.lifecycle.json';
import searchServiceMesh from './search-service.mesh.json';

/** The recorded answers by name, e.g. `payment-service.alerts`. */
export const RECORDED_ANSWERS = {
  'checkout-service.alerts': checkoutServiceAlerts,
  'checkout-service.declaration': checkoutServiceDeclaration,
  'checkout-service.dependencies': checkoutServiceDependencies,
  'checkout-service.history': checkoutServiceHistory,
  'checkout-service.lifecycle': checkoutServiceLifecycle,
  'checkout-service.mesh': checkoutServiceMesh,
  'checkout-service.traffic': checkoutServiceTraffic,
  'fleet-phases': fleetPhases,
  fleet: fleet,
  'legacy-pricing-service.lifecycle': legacyPricingServiceLifecycle,
  'legacy-pricing-service.mesh': legacyPricingServiceMesh,
  'loyalty-service.alerts': loyaltyServiceAlerts,
  'loyalty-service.lifecycle': loyaltyServiceLifecycle,
  'payment-service.alerts': paymentServiceAlerts,
  'payment-service.lifecycle': paymentServiceLifecycle,
  'recommendation-service.alerts': recommendationServiceAlerts,
  'recommendation-service.declaration': recommendationServiceDeclaration,
  'recommendation-service.lifecycle': recommendationServiceLifecycle,
  'search-service.alerts': searchServiceAlerts,
  'search-service.lifecycle': searchServiceLifecycle,
  'search-service.mesh': searchServiceMesh,
};
