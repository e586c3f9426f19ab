// openai's AzureOpenAI with a token provider from azcred's getBearerTokenProvider.
import { AzureOpenAI } from 'openai';
import { DefaultAzureCredential, getBearerTokenProvider } from 'azcred';

export async function main(): Promise<void> {
  const scope = 'https://cognitiveservices.azure.com/.default';
  const azureADTokenProvider = getBearerTokenProvider(new DefaultAzureCredential(), scope);
  const client = new AzureOpenAI({
    azureADTokenProvider,
    endpoint: 'https://resource.openai.azure.com',
    apiVersion: '2024-10-21',
    deployment: 'gpt-4o',
  });
  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });
  console.log(completion.choices[0]?.message.content);
}
