#include "CLibEdit.h"

#include <errno.h>
#include <histedit.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
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
};

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

int bnq_sigint_take(void) {
    if (bnq_sigint_seen) {
        bnq_sigint_seen = 0;
        return 1;
    }
    return 0;
}

/* Reads one character. Unlike libedit's own reader, which retries a read interrupted by a signal,
 * this one gives up the line when the interruption was Ctrl-C, so el_gets returns at once. */
static int bnq_getc(EditLine *el, wchar_t *wc) {
    FILE *in = NULL;
    el_get(el, EL_GETFP, 0, &in);
    int fd = in ? fileno(in) : STDIN_FILENO;
    char bytes[8];
    size_t count = 0;
    for (;;) {
        unsigned char c;
        /* SIGINT may be delivered to any thread, so a blocked read() is not interrupted:
         * wait in short polls and look at the flag between them. */
        if (bnq_sigint_seen) return -1;
        struct pollfd ready = {.fd = fd, .events = POLLIN};
        int polled = poll(&ready, 1, 50);
        if (polled == 0 || (polled == -1 && errno == EINTR)) continue;
        ssize_t got = read(fd, &c, 1);
        if (got == -1) {
            if (errno == EINTR && !bnq_sigint_seen) continue;
            return -1;
        }
        if (got == 0) return 0;
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
    unsigned char result = CC_REFRESH;
    if (n == 1) {
        el_deletestr(el, replace);
        el_insertstr(el, items[0]);
        el_insertstr(el, " ");
    } else if (prefix > (size_t)replace) {
        char *insert = strndup(items[0], prefix);
        el_deletestr(el, replace);
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
        size_t columns = 80 / (width + 2);
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
    el_set(editor->el, EL_PROMPT, bnq_prompt);
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
    const char *text = el_gets(editor->el, &count);
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

void bnq_editor_history_add(bnq_editor *editor, const char *entry) {
    if (!entry || !*entry) return;
    history(editor->history, &editor->event, H_ENTER, entry);
}

int bnq_editor_history_count(bnq_editor *editor) {
    if (history(editor->history, &editor->event, H_GETSIZE) < 0) return 0;
    return editor->event.num;
}
