import type { IDataObject } from 'n8n-workflow';

/**
 * What the node knows about a task, whichever API family answers: the native (DashScope)
 * status vocabulary, which the node speaks for both families (docs/API.md, "Statuses").
 */
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
	/** How much of its run the gateway says is done, 0 to 1 (Anyfast's `progress`). */
	progress?: number;
}

export interface SubmittedTask {
	taskId: string;
	status: TaskStatus;
	requestId?: string;
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

/** The two API families (docs/API.md, "Endpoints"). */
export type ApiFamily = 'native' | 'anyfast';

/** What a family accepts in `input.media`, checked before anything is sent. */
export interface FamilyRules {
	family: ApiFamily;
	/** `oss://` URLs from DashScope's temporary upload. */
	acceptsOssUrls: boolean;
	/**
	 * Pictures inline as `data:` URIs, where the kind takes them (TaskKindSpec.inlineMedia):
	 * DashScope's references to video (docs/API.md, "Pictures inline"); Anyfast takes public URLs only.
	 */
	acceptsDataUris: boolean;
	/** Named in error messages: "the Anyfast gateway takes exactly 1". */
	label: string;
}
