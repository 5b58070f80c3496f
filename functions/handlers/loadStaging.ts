import { makeHandler } from './makeHandler.js';

/** Lambda handler of the LoadStaging state. */
export const handler = makeHandler('LoadStaging');
