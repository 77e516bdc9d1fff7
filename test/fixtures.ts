import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import type { Family } from '../dev/emulator';
import { HappyHorseEmulator } from '../dev/emulator';

/**
 * Under `.invalid`, which never resolves (RFC 2606): the node reads the header of an edit's
 * input video before it pays (media/videoLength.ts), and this one fails at once, without
 * anything leaving the machine; the estimate then takes the worst case.
 */
export const VIDEO_URL = 'https://media.example.invalid/input.mp4';
export const IMAGE_URL = 'https://media.example.com/sweater.png';

/** One emulator per test file, started before and stopped after its tests, fresh per test. */
export function useEmulator(): HappyHorseEmulator {
	const emulator = new HappyHorseEmulator();
	beforeAll(async () => await emulator.start());
	afterAll(async () => await emulator.stop());
	beforeEach(() => emulator.reset());
	return emulator;
}

/** A custom-endpoint credential pointing at the emulator in the given API format. */
export function credentialsFor(
	emulator: HappyHorseEmulator,
	family: Family,
	apiKey = emulator.apiKey,
): ICredentialDataDecryptedObject {
	return {
		apiKey,
		endpoint: 'custom',
		baseUrl: family === 'native' ? emulator.nativeBaseUrl : emulator.anyfastBaseUrl,
		apiFormat: family,
	};
}

/** Create Edit Task parameters valid on both families (Anyfast needs exactly one image). */
export function createParameters(overrides: INodeParameters = {}): INodeParameters {
	return {
		operation: 'createEditTask',
		prompt: 'Replace the background with a beach at sunset',
		videoSource: 'url',
		videoUrl: VIDEO_URL,
		referenceImages: { images: [{ source: 'url', url: IMAGE_URL }] },
		waitForCompletion: true,
		downloadVideo: true,
		...overrides,
		// Fast polling keeps the suite quick; the schedule itself is the same code.
		options: { pollInterval: 0.01, ...((overrides.options as INodeParameters) ?? {}) },
	};
}

export const FAMILIES: Family[] = ['native', 'anyfast'];

/**
 * The estimate of an edit of VIDEO_URL on the emulator (a custom endpoint, so no price): its
 * length cannot be read, so the worst case, 15 s in and 15 s out (docs/COSTS.md).
 */
export function worstCaseEditEstimate() {
	return expect.objectContaining({
		billedSeconds: 30,
		amount: null,
		currency: null,
		inputSeconds: 15,
		outputSeconds: 15,
		worstCase: expect.stringContaining('could not be read'),
	});
}
