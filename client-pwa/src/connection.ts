// The connection to the server (Enketo keeps it apart from store and outbox likewise):
// the one API client, which carries the logged-in user's token; whether the phone has
// a network; and whether the server still accepts the token. No DOM.
import { Api } from './api';
import { Observable } from './observable';

export const api = new Api((input, init) => fetch(input, init));

export const online = new Observable<boolean>(typeof navigator === 'undefined' ? true : navigator.onLine);

/**
 * The server refused the token (401). Nothing is sent with it again — retrying a dead
 * token only locks the account — until the user logs in again; the outbox is kept.
 */
export const authExpired = new Observable(false);
