import { makeHandler } from './makeHandler.js';

/** Lambda handler of the DiscoverBatch state. */
export const handler = makeHandler('DiscoverBatch');
