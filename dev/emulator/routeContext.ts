import type { TaskBoard } from './tasks';
import type { RecordedRequest } from './types';

/** What the routes of both API families (nativeRoutes.ts, anyfastRoutes.ts) work on. */
export interface RouteContext {
	tasks: TaskBoard;
	/** Where the result of a task is served, on this server. */
	resultUrl(taskId: string): string;
	/** What is wrong with the oss:// media of a native submit, if anything (see ossUpload.ts). */
	ossMediaProblem(request: RecordedRequest): { code: string; message: string } | undefined;
	/** Whether a RUNNING task's answer tells when it started (HappyHorseEmulator). */
	startTimeWhileRunning(): boolean;
}
