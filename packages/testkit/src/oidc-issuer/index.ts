export * from './issuer.js';
