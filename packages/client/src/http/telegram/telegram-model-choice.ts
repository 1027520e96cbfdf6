/**
 * Picks the model of a Telegram task when the app names none: the first listed model with a
 * worker whose name does not suggest audio for text tasks, the first one whose name suggests
 * audio for transcriptions. Also finds a model's cheapest known price for cost estimates.
 */
import { CocoonError } from '@cocoon/protocol';
import type { GatewayModel, InferenceGateway } from '../inference-gateway.ts';

/** Model names that suggest a speech-to-text engine (Whisper and friends). */
const AUDIO_MODEL_NAME = /whisper|audio|speech|transcri|asr|stt\b|parakeet|canary|voxtral/i;

export function isAudioModelName(id: string): boolean {
  return AUDIO_MODEL_NAME.test(id);
}

/** Lists models, turning a slow network into a clear timeout. */
export function listGatewayModels(gateway: InferenceGateway, timeoutMs: number): Promise<GatewayModel[]> {
  return gateway.listModels(AbortSignal.timeout(timeoutMs));
}

export function chooseTextModel(models: readonly GatewayModel[]): string {
  const found = models.find((model) => model.workers.length > 0 && !isAudioModelName(model.id));
  if (found === undefined) throw new CocoonError('CCN_ERR_ROUTE_NO_WORKER', 'no text model is available on the network; name one in \'model\'', { param: 'model' });
  return found.id;
}

export function chooseAudioModel(models: readonly GatewayModel[]): string {
  const found = models.find((model) => model.workers.length > 0 && isAudioModelName(model.id));
  if (found === undefined) throw new CocoonError('CCN_ERR_ROUTE_NO_WORKER', 'no worker serves audio transcription: no audio model is available on the network', { param: 'model' });
  return found.id;
}

/** The lowest nanoTON-per-adjusted-token price known for `modelId`, or undefined. */
export function cheapestPricePerToken(models: readonly GatewayModel[], modelId: string): number | undefined {
  let cheapest: number | undefined;
  for (const worker of models.find((model) => model.id === modelId)?.workers ?? []) {
    const price = worker.pricePerTokenNanoton;
    if (price !== undefined && Number.isFinite(price) && price >= 0 && (cheapest === undefined || price < cheapest)) cheapest = price;
  }
  return cheapest;
}
