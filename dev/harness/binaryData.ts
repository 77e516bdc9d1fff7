import { Container } from '@n8n/di';
import type { IBinaryData } from 'n8n-workflow';
import { BinaryDataService } from 'n8n-core';

/**
 * n8n's two ways of holding files in an execution: in memory (base64 in the item: 'default')
 * and on disk ('filesystem', where an item holds only an id). The mode is process-wide, so a
 * test file picks one: `useFilesystemBinaryMode()` switches it on for the whole file.
 */
export type BinaryMode = 'default' | 'filesystem';

let filesystemReady: Promise<void> | undefined;

export async function useFilesystemBinaryMode(): Promise<void> {
	// Without init() the service keeps files in memory; init() starts its filesystem store.
	filesystemReady ??= Container.get(BinaryDataService).init();
	await filesystemReady;
}

export interface TestFile {
	bytes: Buffer;
	fileName: string;
	mimeType: string;
}

/** A binary property as an earlier node would have produced it in this mode. */
export async function binaryOf(file: TestFile, mode: BinaryMode): Promise<IBinaryData> {
	const extension = file.fileName.split('.').pop();
	if (mode === 'default') {
		return {
			data: file.bytes.toString('base64'),
			mimeType: file.mimeType,
			fileName: file.fileName,
			fileExtension: extension,
		};
	}
	await useFilesystemBinaryMode();
	return await Container.get(BinaryDataService).store(
		{ type: 'execution', workflowId: 'test-workflow', executionId: 'test-execution' },
		file.bytes,
		{ data: '', mimeType: file.mimeType, fileName: file.fileName, fileExtension: extension },
	);
}

/** The bytes of an output binary, whatever the mode. */
export async function bytesOf(binary: IBinaryData): Promise<Buffer> {
	return await Container.get(BinaryDataService).getAsBuffer(binary);
}
