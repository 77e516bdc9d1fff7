/**
 * Creates tasks over the DashScope API as any client would, without waiting for them: what a
 * "submit now, collect on the event" workflow does, for tests and benchmarks of the trigger.
 */
export async function submitTextToVideo(
	nativeBaseUrl: string,
	apiKey: string,
	prompt: string,
	model = 'happyhorse-1.0-t2v',
): Promise<string> {
	const response = await fetch(`${nativeBaseUrl}/services/aigc/video-generation/video-synthesis`, {
		method: 'POST',
		headers: {
			authorization: `Bearer ${apiKey}`,
			'content-type': 'application/json',
			'x-dashscope-async': 'enable',
		},
		body: JSON.stringify({ model, input: { prompt } }),
	});
	const answer = (await response.json()) as { output?: { task_id?: string }; message?: string };
	const taskId = answer.output?.task_id;
	if (!response.ok || !taskId) {
		throw new Error(`submit failed: ${response.status} ${answer.message ?? ''}`);
	}
	return taskId;
}
