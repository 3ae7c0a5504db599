import { NightshiftClient } from '@nightshift/client';

/** The public API of the server that served this page. */
export const api = new NightshiftClient({ baseUrl: '' });
