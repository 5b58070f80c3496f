import { makeHandler } from './makeHandler.js';

/** Lambda handler of the ValidateBatch state. */
export const handler = makeHandler('ValidateBatch');
