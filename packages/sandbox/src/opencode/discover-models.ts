/**
 * OpenCode only accepts models its config lists, so the OpenAI-compatible endpoint is asked which
 * models it serves (`GET <base>/models`, which Ollama, vLLM, llama.cpp and LM Studio all answer).
 */
export async function discoverOpenAICompatibleModels(
  baseUrl: string,
  apiKey?: string,
  timeoutMs = 5000,
): Promise<string[]> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/models`, {
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return [];
    const body = (await response.json()) as { data?: { id?: unknown }[] };
    return (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
  } catch {
    // An endpoint that cannot list its models still works for the ids named in NIGHTSHIFT_MODEL.
    return [];
  }
}
