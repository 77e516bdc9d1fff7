import type { IDataObject } from 'n8n-workflow';

import type { EditTaskRequest } from '../schemas/editTaskRequest';
import type { ApiFamily } from './endpoints';
import type { MultipartFrame } from './multipart';

/** The native (DashScope) status vocabulary; the node speaks it for both families. */
export const TASK_STATUSES = [
	'PENDING',
	'RUNNING',
	'SUCCEEDED',
	'FAILED',
	'CANCELED',
	'UNKNOWN',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses after which a task never changes again. */
export const FINAL_STATUSES: ReadonlySet<TaskStatus> = new Set([
	'SUCCEEDED',
	'FAILED',
	'CANCELED',
	'UNKNOWN',
]);

/** What one family-independent look at a task tells. */
export interface TaskSnapshot {
	taskId: string;
	status: TaskStatus;
	videoUrl?: string;
	usage?: IDataObject;
	errorCode?: string;
	errorMessage?: string;
	requestId?: string;
	/** ISO 8601, UTC. */
	submittedAt?: string;
	startedAt?: string;
	finishedAt?: string;
}

export interface SubmittedTask {
	taskId: string;
	status: TaskStatus;
	requestId?: string;
}

/** What a family accepts in `input.media`, checked before anything is sent. */
export interface MediaRules {
	minReferenceImages: number;
	maxReferenceImages: number;
	/** `oss://` URLs from DashScope's temporary upload. */
	acceptsOssUrls: boolean;
	/** Named in error messages: "the Anyfast gateway takes exactly 1 reference image". */
	label: string;
	/** Whether files from earlier nodes can be sent (DashScope's temporary upload). */
	acceptsUploads: boolean;
}

/** A file from an earlier node, ready to be uploaded. */
export interface UploadSource {
	/** Names the file in messages: 'Input Binary Field (video) "clip.mp4"'. */
	label: string;
	/** Safe for an object key. */
	fileName: string;
	contentType: string;
	size: number;
	/**
	 * The whole upload body, the frame's head + the file's bytes + its tail, made afresh for each
	 * attempt, streamed so a large file is never copied into one buffer.
	 */
	body(frame: MultipartFrame): Promise<unknown>;
}

export interface TaskListFilter {
	startTime: Date;
	endTime: Date;
	status?: TaskStatus;
	model?: string;
	pageNo: number;
	pageSize: number;
}

export interface TaskListPage {
	tasks: IDataObject[];
	total: number;
	totalPages: number;
}

/**
 * One API family behind one small interface: operations call these and never learn which
 * family answers.
 */
export interface HappyHorseApi {
	readonly family: ApiFamily;
	readonly baseUrl: string;
	readonly mediaRules: MediaRules;
	submitEditTask(
		request: EditTaskRequest,
		itemIndex: number,
		deadline?: number,
	): Promise<SubmittedTask>;
	/** `deadline` (epoch ms): retries of a failed read stop there. */
	getTask(taskId: string, itemIndex: number, deadline?: number): Promise<TaskSnapshot>;
	/** `detached`: not tied to the execution's cancel signal (clean-up after a stop). */
	cancelTask(
		taskId: string,
		itemIndex: number,
		detached?: boolean,
	): Promise<{ requestId?: string }>;
	listTasks(filter: TaskListFilter, itemIndex: number): Promise<TaskListPage>;
	/** Uploads a file for `model`; returns the oss:// URL to put in `input.media`. */
	uploadFile(source: UploadSource, model: string, itemIndex: number): Promise<string>;
}
