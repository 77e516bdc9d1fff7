import type { TaskRequest } from '../schemas/taskRequest';
import type {
	ApiFamily,
	FamilyRules,
	SubmittedTask,
	TaskListFilter,
	TaskListPage,
	TaskSnapshot,
} from '../schemas/task';
import type { MultipartFrame } from './multipart';
import type { WaitBudget } from './waitBudget';

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

/**
 * One API family behind one small interface: operations call these and never learn which
 * family answers.
 */
export interface HappyHorseApi {
	readonly family: ApiFamily;
	readonly baseUrl: string;
	readonly mediaRules: FamilyRules;
	/**
	 * Files from earlier nodes go through DashScope's temporary upload; an endpoint without it
	 * has none, and that absence is the one place the rule "this endpoint cannot take files" lives.
	 */
	readonly uploads: FileUploads | undefined;
	submitTask(request: TaskRequest, itemIndex: number, deadline?: number): Promise<SubmittedTask>;
	/** The body submitTask sends for `request`, as Estimate Only shows it. */
	submitBody(request: TaskRequest): object;
	/** This process's budget of looks for waiting tasks on this account (waitBudget.ts). */
	readonly waitBudget: WaitBudget;
	/**
	 * `deadline` (epoch ms): retries of a failed read stop there. `waiting`: a look of the wait
	 * stage, spent from the wait budget.
	 */
	getTask(
		taskId: string,
		itemIndex: number,
		deadline?: number,
		waiting?: boolean,
	): Promise<TaskSnapshot>;
	/** `detached`: not tied to the execution's cancel signal (clean-up after a stop). */
	cancelTask(
		taskId: string,
		itemIndex: number,
		detached?: boolean,
	): Promise<{ requestId?: string }>;
	listTasks(filter: TaskListFilter, itemIndex: number): Promise<TaskListPage>;
}

export interface FileUploads {
	/** Uploads a file for `model`; returns the oss:// URL to put in `input.media`. */
	uploadFile(source: UploadSource, model: string, itemIndex: number): Promise<string>;
}
