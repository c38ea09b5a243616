import {
  createAsyncThunk,
  type SerializedError,
  type ThunkAction,
  type ThunkDispatch,
  type UnknownAction,
} from '@reduxjs/toolkit';
import type { MerchantImApi } from '../../src-shared/ipc';
import type { RootState } from './store';

/** What every thunk gets besides state: the contract and a clock, so tests inject both. */
export interface ThunkExtra {
  api: MerchantImApi;
  now: () => number;
}

/** Dispatch as thunks and listeners see it (the store's own type is derived from these, not the reverse). */
export type AppThunkDispatch = ThunkDispatch<RootState, ThunkExtra, UnknownAction>;

/** A plain synchronous thunk, for events that need the clock or the state to be built. */
export type AppThunk<R = void> = ThunkAction<R, RootState, ThunkExtra, UnknownAction>;

export const createAppAsyncThunk = createAsyncThunk.withTypes<{
  state: RootState;
  dispatch: AppThunkDispatch;
  extra: ThunkExtra;
}>();

/** An error as the UI keeps it: the contract's code (IpcError carries it through serialisation) and text. */
export interface UiError {
  code: string;
  message: string;
}

export function uiError(error: SerializedError): UiError {
  return { code: error.code ?? 'INTERNAL', message: error.message ?? '' };
}
