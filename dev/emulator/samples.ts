/** The media files behind the emulator's /samples/ URLs, which the example workflows link to. */
import { readFileSync } from 'node:fs';

import { mediaFixture } from '../paths';

/** Whether a path (or a URL of this origin) is a sample video or picture, and which. */
export function sampleMediaOf(pathOrUrl: string, origin = ''): 'mp4' | 'png' | undefined {
	if (!pathOrUrl.startsWith(`${origin}/samples/`)) return undefined;
	const path = pathOrUrl.slice(origin.length).split('?')[0];
	return /^\/samples\/[a-z0-9-]+\.(mp4|png)$/.exec(path)?.[1] as 'mp4' | 'png' | undefined;
}

/**
 * Every sample video is the real 4 s test clip and every sample picture a real 320 × 320 PNG, so
 * what the examples link to plays and opens, and a video edit of a sample reports its true length.
 */
const sampleFiles: Partial<Record<'mp4' | 'png', Buffer>> = {};
export function sampleBytes(media: 'mp4' | 'png'): Buffer {
	sampleFiles[media] ??= readFileSync(mediaFixture(media === 'mp4' ? 'good.mp4' : 'good.png'));
	return sampleFiles[media];
}
