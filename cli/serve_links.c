/*
** serve_links.c: the links of an exercise as people take them: a QR code
** per link in the terminal (when it is one), and a printable join sheet
** for the facilitator to cut up and hand round the tables.  QR codes by
** libqrencode.
*/
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "serve.h"

/* Each module of 'q' as dark or light, with the quiet zone around it. */
static bool dark(const QRcode *q, int x, int y) {
  if (x < 0 || y < 0 || x >= q->width || y >= q->width) return false;
  return q->data[y * q->width + x] & 1;
}

void serve_qr_terminal(FILE *f, const char *label, const char *url) {
  QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
  if (q == NULL) return;
  term_printf(f, "\n%s\n", label);
  /* Two rows of modules per line of text.  A block is drawn in the
     terminal's text colour, light on most: so a block is a light module
     and a blank a dark one. */
  for (int y = -2; y < q->width + 2; y += 2) {
    for (int x = -2; x < q->width + 2; x++) {
      bool top = dark(q, x, y), bottom = dark(q, x, y + 1);
      fputs(top && bottom ? " " : top ? "\u2584" : bottom ? "\u2580"
                                                          : "\u2588", f);
    }
    fputc('\n', f);
  }
  QRcode_free(q);
}

/* One QR code as inline SVG, a path of unit squares. */
static void qr_svg(sbuf *b, const char *url) {
  QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (q == NULL) return;
  char head[160];
  snprintf(head, sizeof head,
           "<svg viewBox=\"-4 -4 %d %d\" width=\"220\" height=\"220\" "
           "role=\"img\"><path d=\"", q->width + 8, q->width + 8);
  sb_puts(b, head);
  for (int y = 0; y < q->width; y++)
    for (int x = 0; x < q->width; x++)
      if (dark(q, x, y)) {
        char m[48];
        snprintf(m, sizeof m, "M%d %dh1v1h-1z", x, y);
        sb_puts(b, m);
      }
  sb_puts(b, "\"/></svg>");
  QRcode_free(q);
}

char *serve_join_sheet(const server *srv) {
  sbuf b = {0};
  sb_puts(&b, "<!doctype html><html lang=en><meta charset=utf-8>"
          "<title>Join the exercise</title><style>"
          "body{font:16px/1.4 system-ui,sans-serif;margin:2em}"
          ".link{display:inline-block;width:300px;margin:0 1em 2em 0;"
          "padding:1em;border:1px dashed #888;page-break-inside:avoid;"
          "vertical-align:top}h2{margin:0 0 .3em}"
          "code{font-size:11px;word-break:break-all}"
          "path{fill:#000}</style><h1>");
  char *title = html_text(srv->title);
  sb_puts(&b, title ? title : "");
  free(title);
  sb_puts(&b, "</h1><p>Cut along the lines: each team gets its own link. "
          "A link is a key to that seat: keep it at the table.</p>\n");
  for (int i = 0; i < srv->nholders; i++) {
    const holder *h = &srv->holders[i];
    char *label = html_text(h->label);
    sb_puts(&b, "<div class=link><h2>");
    sb_puts(&b, label ? label : "");
    free(label);
    sb_puts(&b, "</h2>");
    qr_svg(&b, h->url);
    sb_puts(&b, "<br><code>");
    sb_puts(&b, h->url);   /* the server's own text: host, port, hex */
    sb_puts(&b, "</code></div>\n");
  }
  if (b.bad) {
    free(b.s);
    return NULL;
  }
  return b.s;
}
