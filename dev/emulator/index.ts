/**
 * The HappyHorse emulator: a loopback server that speaks both API families, records every
 * request, and scripts task timelines and failures. Tests, `npm run dev` and the benchmarks
 * import it from here.
 */
export { HappyHorseEmulator } from './server';
export { ftypBox } from './tasks';
export { EventBridgeSigner, taskFinishedEvent } from './eventPush';
export type { EventPushSettings, SignedStringVariant } from './eventPush';
export type { Family, Fault, ScriptedResponse, SubmitFault } from './types';
