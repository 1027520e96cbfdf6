/**
 * The model a task uses when the app names none (as the client runner's task routes choose, but the
 * cheapest): among the listed models that have a worker, the text models for summarize/translate and
 * the ones whose name suggests speech-to-text (Whisper and friends) for transcribe; the cheapest by
 * the lowest known price per token, then the lowest coefficient, then the list's order.
 */
import { CocoonError } from '@cocoon/protocol/browser';
import type { CocoonModel } from './openai-shapes.ts';

/** Model names that suggest a speech-to-text engine. */
const AUDIO_MODEL_NAME = /whisper|audio|speech|transcri|asr|stt\b|parakeet|canary|voxtral/i;

export function isAudioModelName(id: string): boolean {
  return AUDIO_MODEL_NAME.test(id);
}

function cost(model: CocoonModel): [price: number, coefficient: number] {
  let price = Number.POSITIVE_INFINITY;
  let coefficient = Number.POSITIVE_INFINITY;
  for (const worker of model.workers) {
    const known = worker.price_per_token_nanoton;
    if (typeof known === 'number' && Number.isFinite(known) && known >= 0) price = Math.min(price, known);
    if (typeof worker.coefficient === 'number' && Number.isFinite(worker.coefficient)) coefficient = Math.min(coefficient, worker.coefficient);
  }
  return [price, coefficient];
}

function cheapest(models: readonly CocoonModel[]): CocoonModel | undefined {
  let best: { model: CocoonModel; cost: [number, number] } | undefined;
  for (const model of models) {
    const candidate = cost(model);
    if (best === undefined || candidate[0] < best.cost[0] || (candidate[0] === best.cost[0] && candidate[1] < best.cost[1])) best = { model, cost: candidate };
  }
  return best?.model;
}

/** The cheapest text model with a worker; CCN_ERR_ROUTE_NO_WORKER when there is none. */
export function chooseTextModel(models: readonly CocoonModel[]): string {
  const found = cheapest(models.filter((model) => model.workers.length > 0 && !isAudioModelName(model.id)));
  if (found === undefined) throw new CocoonError('CCN_ERR_ROUTE_NO_WORKER', "no text model is available on the network; name one in 'model'", { param: 'model' });
  return found.id;
}

/** The cheapest speech-to-text model with a worker; CCN_ERR_ROUTE_NO_WORKER when there is none. */
export function chooseAudioModel(models: readonly CocoonModel[]): string {
  const found = cheapest(models.filter((model) => model.workers.length > 0 && isAudioModelName(model.id)));
  if (found === undefined) throw new CocoonError('CCN_ERR_ROUTE_NO_WORKER', "no speech-to-text model is available on the network; name one in 'model'", { param: 'model' });
  return found.id;
}
