import { sniffFormat } from '../media/sniffFormat';
import { ExecutionStoppedError } from '../transport/executionStopped';
import { downloadVideo } from '../transport/download';
import { mapWithConcurrency } from './concurrency';
import type { ItemState } from './itemState';
import { asNodeError } from './itemState';
import { withTaskId } from './taskErrors';
import type { NodeContext } from '../transport/context';

/** Results downloaded at once: each is a stream into n8n's binary storage. */
const DOWNLOAD_CONCURRENCY = 3;

/** A result is taken as the video only when its first bytes say MP4 or MOV, as uploads are. */
function looksLikeVideo(head: Buffer): boolean {
	const format = sniffFormat(head);
	return format === 'mp4' || format === 'mov';
}

function wantsDownload(state: ItemState): boolean {
	return (
		!state.error &&
		state.settings.downloadVideo &&
		state.snapshot?.status === 'SUCCEEDED' &&
		state.binary === undefined
	);
}

/** Downloads every finished item's video into its binary property, a few at a time. */
export async function downloadResults(
	ctx: NodeContext,
	states: ItemState[],
	failFast: boolean,
): Promise<void> {
	const pending = states.filter(wantsDownload);
	await mapWithConcurrency(pending, DOWNLOAD_CONCURRENCY, async (state) => {
		if (failFast && states.some((other) => other.error)) return;
		let failure: unknown;
		try {
			state.binary = await downloadVideo(ctx, {
				taskId: state.snapshot?.taskId ?? (state.taskId as string),
				videoUrl: state.snapshot?.videoUrl,
				itemIndex: state.itemIndex,
				maxBytes: state.settings.maxVideoBytes,
				timeoutMs: state.settings.timeoutMs,
				looksLikeVideo,
			});
		} catch (error) {
			failure = error;
		}
		if (failure !== undefined && !(failure instanceof ExecutionStoppedError)) {
			state.error = withTaskId(asNodeError(ctx, failure, state.itemIndex), state.taskId);
		}
	});
}
