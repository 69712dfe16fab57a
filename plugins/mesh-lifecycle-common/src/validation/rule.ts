import { ValidationContext } from './ValidationContext';
import {
  ValidationObjectRef,
  ValidationRuleDescription,
  ValidationSeverity,
} from './types';

/**
 * What a rule reports; the validator adds the rule's code and severity.
 *
 * @internal
 */
export interface RuleFinding {
  object: ValidationObjectRef;
  path: string;
  /** The specifics, appended to the rule's title. */
  message: string;
  hint: string;
  /** Where Kiali gives this finding another severity than the rule's. */
  severity?: ValidationSeverity;
}

/**
 * A check of the validator: its description and the function that runs it.
 *
 * @internal
 */
export interface ValidationRule extends ValidationRuleDescription {
  check(context: ValidationContext): RuleFinding[];
}
