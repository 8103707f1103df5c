#include "CLibEdit.h"

#include <errno.h>
#include <histedit.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

struct bnq_editor {
    EditLine *el;
    History *history;
    HistEvent event;
    char *prompt;
    bnq_complete_fn complete;
    void *complete_context;
    char *line;
    /* Bytes read ahead of libedit (the rest of an escape sequence that was not a paste marker,
     * or what was waiting when the shell asked whether more input is pending). */
    unsigned char ahead[256];
    size_t ahead_start, ahead_end;
    /* Inside a bracketed paste (between ESC [200~ and ESC [201~). */
    int in_paste;
    /* Whether the terminal is asked for bracketed paste. */
    int bracketed;
};

static const char paste_start[] = "\x1b[200~";
static const char paste_end[] = "\x1b[201~";

static volatile sig_atomic_t bnq_sigint_seen = 0;

static void bnq_sigint_handler(int signal_number) {
    (void)signal_number;
    bnq_sigint_seen = 1;
}

void bnq_sigint_install(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = bnq_sigint_handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: a blocking read returns EINTR */
    sigaction(SIGINT, &action, NULL);
}

/* Ctrl-Z: the terminal goes back to the mode it had before bnq, bnq stops; on `fg` the edit
 * mode comes back and the line is drawn again (the flag tells the reader). */
static struct termios bnq_cooked;
static int bnq_have_cooked = 0;
static volatile sig_atomic_t bnq_resumed = 0;

static void bnq_tstp_handler(int signal_number) {
    (void)signal_number;
    int saved_errno = errno;
    struct termios edit;
    int have_edit = tcgetattr(STDIN_FILENO, &edit) == 0;
    if (bnq_have_cooked) tcsetattr(STDIN_FILENO, TCSADRAIN, &bnq_cooked);
    signal(SIGTSTP, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTSTP);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(SIGTSTP);
    /* Continued. */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = bnq_tstp_handler;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTSTP, &action, NULL);
    if (have_edit) tcsetattr(STDIN_FILENO, TCSADRAIN, &edit);
    bnq_resumed = 1;
    errno = saved_errno;
}

void bnq_job_control_install(void) {
    if (tcgetattr(STDIN_FILENO, &bnq_cooked) == 0) bnq_have_cooked = 1;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = bnq_tstp_handler;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTSTP, &action, NULL);
}

int bnq_sigint_take(void) {
    if (bnq_sigint_seen) {
        bnq_sigint_seen = 0;
        return 1;
    }
    return 0;
}

/* One byte: from what was read ahead, else from the terminal, waiting at most `timeout_ms`
 * (-1: as long as it takes, in short polls that look at the Ctrl-C flag). 1: a byte; 0: end of
 * input; -1: an error or Ctrl-C; -2: nothing came in time. */
static int next_byte(bnq_editor *editor, int fd, int timeout_ms, unsigned char *byte) {
    if (editor->ahead_start < editor->ahead_end) {
        *byte = editor->ahead[editor->ahead_start++];
        return 1;
    }
    int waited = 0;
    for (;;) {
        /* SIGINT may be delivered to any thread, so a blocked read() is not interrupted:
         * wait in short polls and look at the flag between them. */
        if (bnq_sigint_seen) return -1;
        if (bnq_resumed && timeout_ms < 0) return -3;
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        int slice = timeout_ms < 0 ? 50 : (timeout_ms - waited < 10 ? timeout_ms - waited : 10);
        int polled = poll(&ready, 1, slice);
        if (polled == 0 || (polled == -1 && errno == EINTR)) {
            waited += slice;
            if (timeout_ms >= 0 && waited >= timeout_ms) return -2;
            continue;
        }
        ssize_t got = read(fd, byte, 1);
        if (got == -1) {
            if (errno == EINTR && !bnq_sigint_seen) continue;
            return -1;
        }
        return got == 0 ? 0 : 1;
    }
}

/* After an ESC: whether the bytes that follow spell the rest of `marker` (ESC [20x~). The bytes
 * read are given back when they do not. */
static int read_marker(bnq_editor *editor, int fd, const char *marker) {
    unsigned char seen[8];
    size_t count = 0;
    size_t length = strlen(marker);
    for (size_t i = 1; i < length; i++) {
        unsigned char byte;
        if (next_byte(editor, fd, 30, &byte) != 1) break;
        seen[count++] = byte;
        if (byte != (unsigned char)marker[i]) break;
        if (i == length - 1) return 1;
    }
    /* Not the marker: put the bytes back in front of what is ahead. */
    if (count > 0) {
        size_t remaining = editor->ahead_end - editor->ahead_start;
        if (remaining + count <= sizeof editor->ahead) {
            memmove(editor->ahead + count, editor->ahead + editor->ahead_start, remaining);
            memcpy(editor->ahead, seen, count);
            editor->ahead_start = 0;
            editor->ahead_end = remaining + count;
        }
    }
    return 0;
}

/* Reads one character. Unlike libedit's own reader, which retries a read interrupted by a signal,
 * this one gives up the line when the interruption was Ctrl-C, so el_gets returns at once. It
 * takes the bracketed-paste markers out (a Tab inside a paste is a space, not completion), and
 * draws the line again after Ctrl-Z and `fg`. */
static int bnq_getc(EditLine *el, wchar_t *wc) {
    bnq_editor *editor = NULL;
    el_get(el, EL_CLIENTDATA, &editor);
    FILE *in = NULL;
    el_get(el, EL_GETFP, 0, &in);
    int fd = in ? fileno(in) : STDIN_FILENO;
    char bytes[8];
    size_t count = 0;
    for (;;) {
        unsigned char c;
        int got = next_byte(editor, fd, -1, &c);
        if (got == -3) {
            bnq_resumed = 0;
            el_set(el, EL_REFRESH);
            continue;
        }
        if (got == -1) return -1;
        if (got == 0) return 0;
        if (c == 0x1b && count == 0 && editor->bracketed) {
            if (!editor->in_paste && read_marker(editor, fd, paste_start)) {
                editor->in_paste = 1;
                continue;
            }
            if (editor->in_paste && read_marker(editor, fd, paste_end)) {
                editor->in_paste = 0;
                /* A paste that ended with a line break, whose end marker came late: an empty
                 * line lets the shell run what it held back. */
                const LineInfo *info = el_line(el);
                if (info->lastchar == info->buffer) {
                    *wc = L'\n';
                    return 1;
                }
                continue;
            }
        }
        if (c == '\t' && editor->in_paste) c = ' ';
        bytes[count++] = (char)c;
        mbstate_t state;
        memset(&state, 0, sizeof state);
        size_t used = mbrtowc(wc, bytes, count, &state);
        if (used == (size_t)-2 && count < sizeof bytes) continue;
        if (used == (size_t)-1 || used == (size_t)-2) *wc = (wchar_t)(unsigned char)bytes[0];
        return 1;
    }
}

static char *bnq_prompt(EditLine *el) {
    bnq_editor *editor = NULL;
    el_get(el, EL_CLIENTDATA, &editor);
    return editor && editor->prompt ? editor->prompt : "";
}

static size_t common_prefix(const char *a, const char *b) {
    size_t n = 0;
    while (a[n] && a[n] == b[n]) n++;
    return n;
}

static unsigned char bnq_complete(EditLine *el, int ch) {
    (void)ch;
    bnq_editor *editor = NULL;
    el_get(el, EL_CLIENTDATA, &editor);
    if (!editor || !editor->complete) return CC_ERROR;
    const LineInfo *info = el_line(el);
    size_t before = (size_t)(info->cursor - info->buffer);
    char *text = malloc(before + 1);
    if (!text) return CC_ERROR;
    memcpy(text, info->buffer, before);
    text[before] = '\0';
    char *candidates = NULL;
    int replace = editor->complete(editor->complete_context, text, &candidates);
    /* libedit deletes characters, the completer counts bytes (UTF-8). */
    if (replace < 0 || (size_t)replace > before) replace = 0;
    int replace_characters = 0;
    for (size_t i = before - (size_t)replace; i < before; i++) {
        if (((unsigned char)text[i] & 0xC0) != 0x80) replace_characters++;
    }
    free(text);
    if (!candidates || !*candidates) {
        free(candidates);
        return CC_REFRESH_BEEP;
    }
    /* Split the candidates and find their longest common prefix. */
    size_t count = 0;
    for (char *p = candidates; *p; p++) if (*p == '\n') count++;
    if (candidates[strlen(candidates) - 1] != '\n') count++;
    char **items = calloc(count + 1, sizeof *items);
    size_t n = 0;
    for (char *token = strtok(candidates, "\n"); token && n < count; token = strtok(NULL, "\n")) items[n++] = token;
    if (n == 0) {
        free(items);
        free(candidates);
        return CC_REFRESH_BEEP;
    }
    size_t prefix = strlen(items[0]);
    for (size_t i = 1; i < n; i++) {
        size_t common = common_prefix(items[0], items[i]);
        if (common < prefix) prefix = common;
    }
    /* Never cut a UTF-8 character in two. */
    while (prefix > 0 && ((unsigned char)items[0][prefix] & 0xC0) == 0x80) prefix--;
    unsigned char result = CC_REFRESH;
    if (n == 1) {
        el_deletestr(el, replace_characters);
        el_insertstr(el, items[0]);
        /* A folder is completed further, and a function's argument follows its parenthesis: no space. */
        size_t length = strlen(items[0]);
        if (length == 0 || (items[0][length - 1] != '/' && items[0][length - 1] != '(')) el_insertstr(el, " ");
    } else if (prefix > (size_t)replace) {
        char *insert = strndup(items[0], prefix);
        el_deletestr(el, replace_characters);
        el_insertstr(el, insert);
        free(insert);
    } else {
        /* Ambiguous: list the candidates under the line. */
        FILE *out = NULL;
        el_get(el, EL_GETFP, 1, &out);
        if (!out) out = stdout;
        fputc('\n', out);
        size_t width = 0;
        for (size_t i = 0; i < n; i++) if (strlen(items[i]) > width) width = strlen(items[i]);
        int screen = 80;
        if (el_get(el, EL_GETTC, "co", &screen, (void *)0) != 0 || screen <= 0) screen = 80;
        size_t columns = (size_t)screen / (width + 2);
        if (columns < 1) columns = 1;
        for (size_t i = 0; i < n; i++) {
            fprintf(out, "%-*s", (int)(width + 2), items[i]);
            if ((i + 1) % columns == 0 || i + 1 == n) fputc('\n', out);
        }
        fflush(out);
        result = CC_REDISPLAY;
    }
    free(items);
    free(candidates);
    return result;
}

bnq_editor *bnq_editor_create(const char *program, FILE *in, FILE *out, FILE *err) {
    /* bnq reads and writes UTF-8 whatever the environment says: without a UTF-8 locale (LANG
     * unset, "C" or "POSIX") libedit would drop every non-ASCII character typed. */
    const char *chosen = setlocale(LC_CTYPE, "");
    const char *codeset = nl_langinfo(CODESET);
    if (!chosen || !codeset || strcmp(codeset, "UTF-8") != 0) {
        if (!setlocale(LC_CTYPE, "C.UTF-8")) setlocale(LC_CTYPE, "en_US.UTF-8");
    }
    bnq_editor *editor = calloc(1, sizeof *editor);
    if (!editor) return NULL;
    editor->el = el_init(program, in ? in : stdin, out ? out : stdout, err ? err : stderr);
    editor->history = history_init();
    if (!editor->el || !editor->history) {
        bnq_editor_destroy(editor);
        return NULL;
    }
    history(editor->history, &editor->event, H_SETSIZE, 10000);
    history(editor->history, &editor->event, H_SETUNIQUE, 1);
    el_set(editor->el, EL_CLIENTDATA, editor);
    el_set(editor->el, EL_HIST, history, editor->history);
    el_set(editor->el, EL_EDITOR, "emacs");
    /* No EL_SIGNAL: its SIGINT handler leaves the terminal cooked while the read goes on.
     * Ctrl-C is handled by bnq_getc instead, and the terminal mode by el_gets itself. */
    el_set(editor->el, EL_SIGNAL, 0);
    el_set(editor->el, EL_GETCFN, bnq_getc);
    /* Between two \1 marks the prompt holds escape codes (colour) that take no columns. */
    el_set(editor->el, EL_PROMPT_ESC, bnq_prompt, '\1');
    el_set(editor->el, EL_ADDFN, "bnq-complete", "Complete from the statement's context", bnq_complete);
    el_set(editor->el, EL_BIND, "^I", "bnq-complete", NULL);
    /* libedit leaves Ctrl-R unbound: bind incremental search backwards through history. */
    el_set(editor->el, EL_BIND, "^R", "em-inc-search-prev", NULL);
    el_source(editor->el, NULL);
    return editor;
}

void bnq_editor_destroy(bnq_editor *editor) {
    if (!editor) return;
    if (editor->el) {
        el_set(editor->el, EL_PREP_TERM, 0);  /* the terminal as it was */
        el_end(editor->el);
    }
    if (editor->history) history_end(editor->history);
    free(editor->prompt);
    free(editor->line);
    free(editor);
}

void bnq_editor_set_prompt(bnq_editor *editor, const char *prompt) {
    free(editor->prompt);
    editor->prompt = strdup(prompt ? prompt : "");
}

void bnq_editor_set_mode(bnq_editor *editor, const char *mode) {
    el_set(editor->el, EL_EDITOR, strcmp(mode, "vi") == 0 ? "vi" : "emacs");
    el_set(editor->el, EL_BIND, "^I", "bnq-complete", NULL);
    el_set(editor->el, EL_BIND, "^R", "em-inc-search-prev", NULL);
}

void bnq_editor_set_completion(bnq_editor *editor, bnq_complete_fn function, void *context) {
    editor->complete = function;
    editor->complete_context = context;
}

int bnq_editor_read(bnq_editor *editor, const char **line) {
    int count = 0;
    errno = 0;
    /* The terminal stays in edit mode from the first prompt until the editor is destroyed, also
     * while a statement runs: el_gets would switch to edit mode only at its first read, after
     * the prompt, and el_gets returns in cooked mode. Keys typed in cooked mode are handled by
     * the line discipline (echoed twice, and a Ctrl-D on an empty line swallowed as end of
     * file); in edit mode they wait, unechoed, for the next prompt. Edit mode keeps ISIG, so
     * Ctrl-C still interrupts a running statement, and output processing (ONLCR). */
    el_set(editor->el, EL_PREP_TERM, 1);
    FILE *out = NULL;
    el_get(editor->el, EL_GETFP, 1, &out);
    if (editor->bracketed && out) {
        fputs("\x1b[?2004h", out);
        fflush(out);
    }
    const char *text = el_gets(editor->el, &count);
    if (editor->bracketed && out) {
        fputs("\x1b[?2004l", out);
        fflush(out);
    }
    el_set(editor->el, EL_PREP_TERM, 1);
    if (bnq_sigint_take() || (text == NULL && errno == EINTR)) {
        /* Ctrl-C: drop what was typed. */
        el_reset(editor->el);
        return -1;
    }
    if (text == NULL || count <= 0) return 0;
    free(editor->line);
    editor->line = strdup(text);
    size_t length = strlen(editor->line);
    while (length > 0 && (editor->line[length - 1] == '\n' || editor->line[length - 1] == '\r')) editor->line[--length] = '\0';
    *line = editor->line;
    return 1;
}

void bnq_editor_set_bracketed_paste(bnq_editor *editor, int on) { editor->bracketed = on; }

int bnq_editor_pending(bnq_editor *editor) {
    FILE *in = NULL;
    el_get(editor->el, EL_GETFP, 0, &in);
    int fd = in ? fileno(in) : STDIN_FILENO;
    /* Take what is waiting now, without waiting for more. */
    if (editor->ahead_start == editor->ahead_end) editor->ahead_start = editor->ahead_end = 0;
    while (editor->ahead_end < sizeof editor->ahead) {
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        if (poll(&ready, 1, 0) <= 0 || !(ready.revents & POLLIN)) break;
        ssize_t got = read(fd, editor->ahead + editor->ahead_end, sizeof editor->ahead - editor->ahead_end);
        if (got <= 0) break;
        editor->ahead_end += (size_t)got;
    }
    /* The end of a paste is not more input. */
    size_t marker = strlen(paste_end);
    if (editor->in_paste && editor->ahead_end - editor->ahead_start >= marker
        && memcmp(editor->ahead + editor->ahead_start, paste_end, marker) == 0) {
        editor->ahead_start += marker;
        editor->in_paste = 0;
    }
    return editor->in_paste || editor->ahead_start < editor->ahead_end;
}

void bnq_editor_suspend(bnq_editor *editor) {
    el_set(editor->el, EL_PREP_TERM, 0);
}

void bnq_editor_history_add(bnq_editor *editor, const char *entry) {
    if (!entry || !*entry) return;
    history(editor->history, &editor->event, H_ENTER, entry);
}

int bnq_editor_history_count(bnq_editor *editor) {
    if (history(editor->history, &editor->event, H_GETSIZE) < 0) return 0;
    return editor->event.num;
}
