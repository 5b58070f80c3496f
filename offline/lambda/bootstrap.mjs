// The runtime of one offline Lambda execution environment: a plain Node
// process (no tsx, no test framework), started by offline/lambda/localLambda.ts
// with the function's environment, like Lambda's own bootstrap:
//
//   node bootstrap.mjs <task root> <handler setting, e.g. index.handler>
//
// It loads the function's code from the task root once (the cold start) and
// then serves invocations one at a time over the IPC channel: the event, the
// request id, the deadline and the X-Ray trace header in; the result, or the
// error as Lambda reports it (errorType = error.name), out.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [taskRoot, handlerSetting] = process.argv.slice(2);
const dot = handlerSetting.lastIndexOf('.');
const moduleFile = path.join(taskRoot, `${handlerSetting.slice(0, dot)}.mjs`);
const exportName = handlerSetting.slice(dot + 1);

/** A function error as the Node.js runtime reports it. */
function asLambdaError(error) {
  const failure = error instanceof Error ? error : new Error(String(error));
  return {
    errorType: failure.name || 'Error',
    errorMessage: failure.message,
    trace: String(failure.stack ?? '').split('\n'),
  };
}

let handler;
try {
  const loaded = await import(pathToFileURL(moduleFile).href);
  handler = loaded[exportName];
  if (typeof handler !== 'function') throw Object.assign(new Error(`${handlerSetting} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  process.send({ type: 'ready' });
} catch (error) {
  process.send({ type: 'init-error', error: asLambdaError(error) }, () => process.exit(1));
}

// The environment lives as long as whoever runs it: without it, nothing will ever invoke it again.
process.on('disconnect', () => process.exit(0));

process.on('message', async (message) => {
  if (message?.type !== 'invoke') return;
  const { requestId, event, deadline, traceId, functionArn, functionName, memoryMb, logGroupName, logStreamName } = message;
  // Lambda sets the trace header per invocation; Powertools' Tracer reads it from the environment.
  process.env._X_AMZN_TRACE_ID = traceId;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName,
    logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const result = await handler(event, context);
    // The runtime serializes the result as JSON (undefined becomes null).
    process.send({ type: 'result', requestId, payload: JSON.stringify(result ?? null) });
  } catch (error) {
    process.send({ type: 'error', requestId, error: asLambdaError(error) });
  }
});
