/* The inner loops of dtw.py: the capped-cost recurrence, cell by cell, and the backtrack.
 *
 * numpy solved each row with about a dozen whole-row passes (a cumulative minimum for the
 * chained skips); cell by cell in C the same recurrence costs a few nanoseconds per cell,
 * which is most of the aligner's time on a long video. Arrays come in through the buffer
 * protocol (C-contiguous, dtypes checked by the Python wrappers in dtw.py), so the module
 * needs neither numpy's headers nor anything beyond the Python headers to build.
 *
 * Moves and their prices are documented in dtw.py; ties keep the first of DIAGONAL, HOLD,
 * SKIP, as the numpy version did.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

enum { DIAGONAL = 0, HOLD = 1, SKIP = 2, ORIGIN = 3, JUMP = 4 };

/* One row of a problem: ``previous`` holds the row above (its column j at index j + shift
 * of this row's column j), ``current`` receives this row. Columns at or past ``valid`` are
 * outside the matrix. */
static void solve_row(const float *d, const double *previous, double *current, uint8_t *codes,
                      Py_ssize_t width, Py_ssize_t shift, Py_ssize_t valid, int first_row,
                      const uint8_t *optional, const float *hold_cap, const float *hold_extra,
                      double gap, double row_hold, const int64_t *jump, const float *jump_cost) {
    double left = INFINITY;
    for (Py_ssize_t j = 0; j < width; j++) {
        if (j >= valid) {
            current[j] = INFINITY;
            codes[j] = DIAGONAL;
            left = INFINITY;
            continue;
        }
        double distance = d[j];
        Py_ssize_t above = j + shift;
        double diagonal = (above >= 1 && above <= width) ? previous[above - 1] + distance : INFINITY;
        if (first_row && j == 0) diagonal = distance;
        double hold_price = distance + hold_extra[j];
        if (hold_price > hold_cap[j]) hold_price = hold_cap[j];
        if (hold_price > row_hold) hold_price = row_hold;
        double hold = above < width ? previous[above] + hold_price : INFINITY;
        double best = diagonal;
        uint8_t code = DIAGONAL;
        if (hold < diagonal) {
            best = hold;
            code = HOLD;
        }
        if (first_row && j == 0) code = ORIGIN;
        double skip_price = optional[j] ? 0.0 : (distance + hold_extra[j] < gap ? distance + hold_extra[j] : gap);
        double skip = left + skip_price;
        if (skip < best) {
            best = skip;
            code = SKIP;
        }
        if (jump[j] > 0 && jump[j] <= j) {
            double over = current[j - jump[j]] + jump_cost[j];
            if (over < best) {
                best = over;
                code = JUMP;
            }
        }
        current[j] = best;
        codes[j] = code;
        left = best;
    }
}

/* Walk back from (row, col); codes[r * width + c - lo[r]]; lo may be NULL (all zero). The
 * columns a jump passes over are given that row as entry and exit, and marked in jumped. */
static int backtrack(const uint8_t *codes, const int64_t *lo, Py_ssize_t width, Py_ssize_t row,
                     Py_ssize_t col, const int64_t *jump, int64_t *entry, int64_t *exit_,
                     uint8_t *jumped) {
    for (Py_ssize_t c = 0; c <= col; c++) {
        exit_[c] = -1;
        jumped[c] = 0;
    }
    for (;;) {
        Py_ssize_t offset = col - (lo ? (Py_ssize_t)lo[row] : 0);
        if (row < 0 || col < 0 || offset < 0 || offset >= width) return -1;
        uint8_t code = codes[row * width + offset];
        entry[col] = row;
        if (exit_[col] < 0) exit_[col] = row;
        if (code == ORIGIN) return 0;
        if (code == DIAGONAL) {
            row--;
            col--;
        } else if (code == HOLD) {
            row--;
        } else if (code == JUMP) {
            Py_ssize_t to = col - (Py_ssize_t)jump[col];
            for (Py_ssize_t c = to + 1; c < col; c++) {
                entry[c] = exit_[c] = row;
                jumped[c] = 1;
            }
            col = to;
        } else {
            col--;
        }
    }
}

static int check(Py_buffer *view, Py_ssize_t bytes, const char *name) {
    if (view->len < bytes) {
        PyErr_Format(PyExc_ValueError, "%s is too small (%zd bytes, %zd needed)", name, view->len, bytes);
        return -1;
    }
    return 0;
}

PyDoc_STRVAR(corner_paths_doc,
"corner_paths(d, row_counts, col_counts, optional, hold_cap, hold_extra, gap, row_hold, jump,\n"
"             jump_cost, entry, exit, jumped, costs)\n"
"Many independent problems, corner to corner: d is (P, R, C) float32, the counts (P,) int64,\n"
"the column costs (P, C), row_hold (P, R) float32 the most a hold may cost in each row,\n"
"jump (P, C) int64 how far back a column may be reached in one move (0: not), at jump_cost\n"
"(P, C) float32; entry and exit (P, C) int64, jumped (P, C) uint8 and costs (P,) float64 are\n"
"written.\n"
"entry and exit (P, C) int64 and costs (P,) float64 are written.");

static PyObject *corner_paths(PyObject *self, PyObject *args) {
    Py_buffer d, rows_b, cols_b, optional, hold_cap, hold_extra, row_hold, jump_b, jump_cost_b, entry, exit_,
        jumped_b, costs;
    double gap;
    Py_ssize_t problems, rows, columns;
    if (!PyArg_ParseTuple(args, "nnny*y*y*y*y*y*dy*y*y*w*w*w*w*", &problems, &rows, &columns, &d, &rows_b,
                          &cols_b, &optional, &hold_cap, &hold_extra, &gap, &row_hold, &jump_b,
                          &jump_cost_b, &entry, &exit_, &jumped_b, &costs))
        return NULL;
    PyObject *result = NULL;
    double *previous = NULL, *current = NULL;
    uint8_t *codes = NULL;
    Py_ssize_t cells = problems * columns;
    if (check(&d, cells * rows * 4, "d") || check(&rows_b, problems * 8, "row_counts") ||
        check(&cols_b, problems * 8, "col_counts") || check(&optional, cells, "optional") ||
        check(&hold_cap, cells * 4, "hold_cap") || check(&hold_extra, cells * 4, "hold_extra") ||
        check(&row_hold, problems * rows * 4, "row_hold") || check(&jump_b, cells * 8, "jump") ||
        check(&jump_cost_b, cells * 4, "jump_cost") ||
        check(&entry, cells * 8, "entry") || check(&exit_, cells * 8, "exit") ||
        check(&jumped_b, cells, "jumped") || check(&costs, problems * 8, "costs"))
        goto done;
    previous = malloc(sizeof(double) * (columns + 1));
    current = malloc(sizeof(double) * (columns + 1));
    codes = malloc((size_t)rows * (size_t)columns + 1);
    if (!previous || !current || !codes) {
        PyErr_NoMemory();
        goto done;
    }
    const int64_t *row_counts = rows_b.buf, *col_counts = cols_b.buf;
    int failed = 0;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t p = 0; p < problems && !failed; p++) {
        Py_ssize_t r_count = (Py_ssize_t)row_counts[p], c_count = (Py_ssize_t)col_counts[p];
        if (r_count < 1 || c_count < 1 || r_count > rows || c_count > columns) {
            failed = 1;
            break;
        }
        const float *dp = (const float *)d.buf + p * rows * columns;
        const uint8_t *opt = (const uint8_t *)optional.buf + p * columns;
        const float *cap = (const float *)hold_cap.buf + p * columns;
        const float *extra = (const float *)hold_extra.buf + p * columns;
        const float *holds = (const float *)row_hold.buf + p * rows;
        const int64_t *jumps = (const int64_t *)jump_b.buf + p * columns;
        const float *jump_costs = (const float *)jump_cost_b.buf + p * columns;
        for (Py_ssize_t j = 0; j < c_count; j++) previous[j] = INFINITY;
        for (Py_ssize_t i = 0; i < r_count; i++) {
            solve_row(dp + i * columns, previous, current, codes + i * c_count, c_count, 0, c_count,
                      i == 0, opt, cap, extra, gap, holds[i], jumps, jump_costs);
            double *swap = previous;
            previous = current;
            current = swap;
        }
        ((double *)costs.buf)[p] = previous[c_count - 1];
        if (backtrack(codes, NULL, c_count, r_count - 1, c_count - 1, jumps,
                      (int64_t *)entry.buf + p * columns, (int64_t *)exit_.buf + p * columns,
                      (uint8_t *)jumped_b.buf + p * columns))
            failed = 2;
    }
    Py_END_ALLOW_THREADS
    if (failed == 1)
        PyErr_SetString(PyExc_ValueError, "a problem's size is outside the distance array");
    else if (failed == 2)
        PyErr_SetString(PyExc_ValueError, "no path from corner to corner");
    else
        result = Py_NewRef(Py_None);
done:
    free(previous);
    free(current);
    free(codes);
    PyBuffer_Release(&d);
    PyBuffer_Release(&rows_b);
    PyBuffer_Release(&cols_b);
    PyBuffer_Release(&optional);
    PyBuffer_Release(&hold_cap);
    PyBuffer_Release(&hold_extra);
    PyBuffer_Release(&row_hold);
    PyBuffer_Release(&jump_b);
    PyBuffer_Release(&jump_cost_b);
    PyBuffer_Release(&entry);
    PyBuffer_Release(&exit_);
    PyBuffer_Release(&jumped_b);
    PyBuffer_Release(&costs);
    return result;
}

PyDoc_STRVAR(band_rows_doc,
"band_rows(block, width, first_row, columns, d, lo, previous, previous_lo, optional, hold_cap,\n"
"          hold_extra, gap, row_hold, jump, jump_cost, codes) -> previous_lo\n"
"Rows first_row .. first_row+block-1 of a band: d (block, width) float32, lo (block,) int64\n"
"the first column of each row, previous (width,) float64 the row above (updated in place),\n"
"column costs (columns,) indexed by absolute column, row_hold (block,) float32 the most a hold\n"
"may cost in each row, jump (columns,) int64 how far back a column may be reached in one\n"
"move (0: not) at jump_cost (columns,) float32, codes (block, width) written.");

static PyObject *band_rows(PyObject *self, PyObject *args) {
    Py_ssize_t block, width, first_row, columns, previous_lo;
    Py_buffer d, lo_b, previous_b, optional, hold_cap, hold_extra, row_hold, jump_b, jump_cost_b, codes;
    double gap;
    if (!PyArg_ParseTuple(args, "nnnny*y*w*ny*y*y*dy*y*y*w*", &block, &width, &first_row, &columns, &d,
                          &lo_b, &previous_b, &previous_lo, &optional, &hold_cap, &hold_extra, &gap,
                          &row_hold, &jump_b, &jump_cost_b, &codes))
        return NULL;
    PyObject *result = NULL;
    double *current = NULL;
    const int64_t *lo = lo_b.buf;
    if (check(&d, block * width * 4, "d") || check(&lo_b, block * 8, "lo") ||
        check(&previous_b, width * 8, "previous") || check(&codes, block * width, "codes") ||
        check(&row_hold, block * 4, "row_hold"))
        goto done;
    if (check(&optional, columns, "optional") || check(&hold_cap, columns * 4, "hold_cap") ||
        check(&hold_extra, columns * 4, "hold_extra") || check(&jump_b, columns * 8, "jump") ||
        check(&jump_cost_b, columns * 4, "jump_cost"))
        goto done;
    for (Py_ssize_t r = 0; r < block; r++) {
        if (lo[r] < 0 || lo[r] >= columns) {
            PyErr_SetString(PyExc_ValueError, "a band row starts outside the columns");
            goto done;
        }
    }
    current = malloc(sizeof(double) * (width + 1));
    if (!current) {
        PyErr_NoMemory();
        goto done;
    }
    double *previous = previous_b.buf;
    int overlap = 1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t r = 0; r < block; r++) {
        Py_ssize_t shift = (Py_ssize_t)lo[r] - previous_lo;
        if (shift < 0 || shift >= width) {
            overlap = 0;
            break;
        }
        Py_ssize_t valid = columns - (Py_ssize_t)lo[r];
        if (valid > width) valid = width;
        solve_row((const float *)d.buf + r * width, previous, current, (uint8_t *)codes.buf + r * width,
                  width, shift, valid, first_row + r == 0, (const uint8_t *)optional.buf + lo[r],
                  (const float *)hold_cap.buf + lo[r], (const float *)hold_extra.buf + lo[r], gap,
                  ((const float *)row_hold.buf)[r], (const int64_t *)jump_b.buf + lo[r],
                  (const float *)jump_cost_b.buf + lo[r]);
        for (Py_ssize_t j = 0; j < width; j++) previous[j] = current[j];
        previous_lo = (Py_ssize_t)lo[r];
    }
    Py_END_ALLOW_THREADS
    if (!overlap)
        PyErr_SetString(PyExc_ValueError, "band rows do not overlap");
    else
        result = PyLong_FromSsize_t(previous_lo);
done:
    free(current);
    PyBuffer_Release(&d);
    PyBuffer_Release(&lo_b);
    PyBuffer_Release(&previous_b);
    PyBuffer_Release(&optional);
    PyBuffer_Release(&hold_cap);
    PyBuffer_Release(&hold_extra);
    PyBuffer_Release(&row_hold);
    PyBuffer_Release(&jump_b);
    PyBuffer_Release(&jump_cost_b);
    PyBuffer_Release(&codes);
    return result;
}

PyDoc_STRVAR(band_backtrack_doc,
"band_backtrack(rows, width, columns, codes, lo, jump, entry, exit, jumped)\n"
"The path ending at the band's last cell: entry and exit (columns,) int64 and jumped\n"
"(columns,) uint8 are written.");

static PyObject *band_backtrack(PyObject *self, PyObject *args) {
    Py_ssize_t rows, width, columns;
    Py_buffer codes, lo, jump_b, entry, exit_, jumped_b;
    if (!PyArg_ParseTuple(args, "nnny*y*y*w*w*w*", &rows, &width, &columns, &codes, &lo, &jump_b, &entry,
                          &exit_, &jumped_b))
        return NULL;
    PyObject *result = NULL;
    if (check(&codes, rows * width, "codes") || check(&lo, rows * 8, "lo") ||
        check(&jump_b, columns * 8, "jump") ||
        check(&entry, columns * 8, "entry") || check(&exit_, columns * 8, "exit") ||
        check(&jumped_b, columns, "jumped"))
        goto done;
    if (backtrack(codes.buf, lo.buf, width, rows - 1, columns - 1, jump_b.buf, entry.buf, exit_.buf,
                  jumped_b.buf))
        PyErr_SetString(PyExc_ValueError, "the path left the band");
    else
        result = Py_NewRef(Py_None);
done:
    PyBuffer_Release(&codes);
    PyBuffer_Release(&lo);
    PyBuffer_Release(&jump_b);
    PyBuffer_Release(&entry);
    PyBuffer_Release(&exit_);
    PyBuffer_Release(&jumped_b);
    return result;
}

static PyMethodDef methods[] = {
    {"corner_paths", corner_paths, METH_VARARGS, corner_paths_doc},
    {"band_rows", band_rows, METH_VARARGS, band_rows_doc},
    {"band_backtrack", band_backtrack, METH_VARARGS, band_backtrack_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_dtw", "Inner loops of the capped-cost DTW (see dtw.py).", -1, methods,
};

PyMODINIT_FUNC PyInit__dtw(void) { return PyModule_Create(&module); }
