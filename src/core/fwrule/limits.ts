/** The numeric limits of the fwrule language (docs/fwrule.md). */

/** Targets on one side of a rule, counted as written. */
export const MAX_TARGETS_PER_SIDE = 24;
/** Ports or ICMP types in one rule, counted as written. */
export const MAX_PROTOCOL_TARGETS = 24;
export const PORT_MIN = 1;
export const PORT_MAX = 65535;
export const ICMP_MAX = 255;
export const PRIORITY_MAX = 100;
/** `description` and `created_by` of a rule object. */
export const MAX_STRING_LENGTH = 255;
