/**
 * Public API of the Telegram task routes of the client's HTTP edge (summarize, translate, audio
 * transcriptions).
 */
export { handleTelegramRoute, isTelegramRoute, SUMMARIZE_PATH, TRANSLATE_PATH, AUDIO_TRANSCRIPTIONS_PATH } from './telegram-route-handler.ts';
export type { TelegramRouteContext, TelegramRouteOptions } from './telegram-route-context.ts';
export { DEFAULT_MAX_AUDIO_BYTES, UpstreamErrorAnswer } from './telegram-route-context.ts';
export {
  DEFAULT_TASK_PROMPT_TEMPLATES as DEFAULT_TELEGRAM_PROMPT_TEMPLATES, renderPromptTemplate, resolvePromptTemplates, summarizeMessages, translateMessages,
} from '@cocoon/protocol';
export type { TaskChatMessage as ChatMessage, TaskPromptTemplates as TelegramPromptTemplates } from '@cocoon/protocol';
export { parseSummarizeRequest, parseTranslateRequest, DEFAULT_MAX_TEXT_CHARS, MAX_SUMMARY_WORDS, MAX_LANGUAGE_CHARS } from './telegram-task-request-parser.ts';
export type { SummarizeTaskRequest, TranslateTaskRequest } from './telegram-task-request-parser.ts';
export { assistantContent, runChatTask } from './telegram-chat-task.ts';
export type { ChatTaskResult, ChatTaskSpec } from './telegram-chat-task.ts';
export { taskCost } from './telegram-task-cost.ts';
export type { TelegramTaskCost } from './telegram-task-cost.ts';
export { chooseAudioModel, chooseTextModel, cheapestPricePerToken, isAudioModelName } from './telegram-model-choice.ts';
export { multipartBoundary, parseMultipartForm, insertFormField } from './multipart-form-parser.ts';
export type { MultipartForm, MultipartPart } from './multipart-form-parser.ts';
export { checkTranscriptionUpload, forwardAudioTranscription } from './audio-transcription-forwarder.ts';
export type { TranscriptionUpload } from './audio-transcription-forwarder.ts';
