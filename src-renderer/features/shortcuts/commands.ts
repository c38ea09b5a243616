import { createAppAsyncThunk } from '../../app/thunk';
import { lineOpened } from '../lines/linesSlice';
import { neighbourLine, nextUnreadLine, selectVisibleLineIds } from '../lines/selectors';
import { helpToggled, viewChosen } from '../workspace/workspaceSlice';
import { lineIn } from '../lines/lineTable';
import type { Shortcut } from './keymap';

/** What a shortcut does to the workspace. Focus moves (search box) are the hook's DOM business. */
export const shortcutPressed = createAppAsyncThunk(
  'shortcuts/pressed',
  (id: Shortcut['id'], { dispatch, getState }) => {
    const state = getState();
    const ids = selectVisibleLineIds(state);
    const selected = state.lines.selectedId;
    let target: string | null = null;
    switch (id) {
      case 'nextLine':
        target = neighbourLine(ids, selected, 1);
        break;
      case 'prevLine':
        target = neighbourLine(ids, selected, -1);
        break;
      case 'nextUnread':
        target = nextUnreadLine(ids, selected, (lineId) => lineIn(state.lines, lineId)?.unread ?? 0);
        break;
      case 'help':
        dispatch(helpToggled());
        return;
      case 'focusSearch':
      case 'send':
      case 'newline':
        return;
    }
    if (target !== null) {
      if (state.workspace.view !== 'inbox') dispatch(viewChosen('inbox'));
      dispatch(lineOpened(target));
    }
  },
);
