/**
 * The application layer (docs/state.md): the only code that takes the
 * state lock, finishes what earlier commands left, and sequences store,
 * host and firewall, each change with its undo. Commands call these.
 */
export { openRuntime, Runtime, Interrupt, SimulatedCrash, type RuntimeOptions } from './runtime';
export { runChange, type Completed } from './change';
export {
  createVmChange,
  updateVmChange,
  deleteVmChange,
  startVmChange,
  stopVmChange,
  rebootVmChange,
  setVmFirewall,
  mustGet,
  zoneOf,
} from './vm';
export { changeRules, type RuleChangePlan, type RuleChangeOutcome } from './firewall';
export { readRules, readState, compileInputOf, type StoredState } from './state';
export { scanVms, firewallStatusText, firewallStatsText, hostFacts } from './reads';
export { killVm } from './vm-kill';
export { followEvents } from './events';
export { vmInfo, sysrqVm, consoleVm, SYSRQ_TYPES } from './vm-hypervisor';
export { reprovisionVmChange } from './vm-reprovision';
export { createSnapshotChange, deleteSnapshotChange, rollbackSnapshotChange } from './vm-snapshot';
export { sendVm, receiveVm } from './transfer';
