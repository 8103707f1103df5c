// A small, opaque C shim over libedit (histedit.h) with fixed-argument functions, because Swift
// cannot call the variadic el_set() and history(). One editor per shell; no process-wide state
// except the SIGINT flag, which a signal handler can only reach through a global.
#ifndef BNQ_CLIBEDIT_H
#define BNQ_CLIBEDIT_H

#include <stdio.h>

typedef struct bnq_editor bnq_editor;

/// Completion: given the line up to the cursor, fills `*candidates` with a malloc'd string of
/// newline-separated candidates and returns how many bytes before the cursor they replace.
typedef int (*bnq_complete_fn)(void *context, const char *line_before_cursor, char **candidates);

/// Creates an editor on the given streams (NULL: the standard ones); reads ~/.editrc (or $EDITRC). NULL on failure.
bnq_editor *bnq_editor_create(const char *program, FILE *in, FILE *out, FILE *err);
void bnq_editor_destroy(bnq_editor *editor);

/// The prompt shown by the next read.
void bnq_editor_set_prompt(bnq_editor *editor, const char *prompt);
/// "emacs" or "vi".
void bnq_editor_set_mode(bnq_editor *editor, const char *mode);
void bnq_editor_set_completion(bnq_editor *editor, bnq_complete_fn function, void *context);

/// Reads a line. Returns 1 with the line in *line (no newline; valid until the next call),
/// 0 at end of input (Ctrl-D on an empty line), -1 when interrupted by Ctrl-C.
int bnq_editor_read(bnq_editor *editor, const char **line);

/// Asks the terminal for bracketed paste while a line is read (ESC [?2004h), so that a paste is
/// known as one: its Tabs do not complete, and `bnq_editor_pending` holds until it ends.
void bnq_editor_set_bracketed_paste(bnq_editor *editor, int on);

/// 1 when more input is already waiting: typed ahead, or the rest of a paste still coming.
int bnq_editor_pending(bnq_editor *editor);

/// Puts the terminal back in the mode it had before the editor (for a pager or an editor run
/// between reads); the next read takes edit mode again.
void bnq_editor_suspend(bnq_editor *editor);

/// Adds an entry to the in-memory history (consecutive duplicates are folded).
void bnq_editor_history_add(bnq_editor *editor, const char *entry);
int bnq_editor_history_count(bnq_editor *editor);

/// Ctrl-Z: puts the terminal back before stopping, takes edit mode again and redraws on `fg`.
void bnq_job_control_install(void);

/// Installs a SIGINT handler that records Ctrl-C instead of ending the process.
void bnq_sigint_install(void);
/// Returns 1 and clears the flag if Ctrl-C was pressed since the last call.
int bnq_sigint_take(void);

#endif
