import type { ICredentialDataDecryptedObject, INodeParameters } from 'n8n-workflow';

import type { Family } from '../dev/emulator';
import { HappyHorseEmulator } from '../dev/emulator';

export const VIDEO_URL = 'https://media.example.com/input.mp4';
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
