/**
 * The two meanings a UUID has here, one pattern each: 8-4-4-4-12 hex
 * digits, in any case where vmadm takes one (it stores it lower-cased), in
 * lower case only where fwadm takes one (as SmartOS fwadm, and as SmartOS
 * and Triton write UUIDs).
 */

/** A UUID as vmadm takes one: any case. */
export const UUID_ANY_CASE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A UUID as fwadm takes one: lower case only. */
export const UUID_LOWER_CASE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
