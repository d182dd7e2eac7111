/* The engine's first look at a message, in C: what every message pays before most are
 * allowed (see gate.py and risk.py, which hold the rules; this file only measures).
 *
 * facts(lowered, words) -> int
 *     The byte- and word-level facts Gate.needs asks about, as the bits FACT_* of gate.py,
 *     in one pass over the bytes and one over the words. gate.py's _facts is the same
 *     function in Python (used when this is not built); tests/moderation/test_glance.py
 *     checks that the two agree on every byte value, the corpus and random text.
 *
 * gate_total(words, distinct, weights, pairs, low_bar) -> float | None
 *     The risk tier's gate score without its bias, summed exactly as RiskModel.assess sums
 *     it in Python (same order, same double additions, so the same float), or None when the
 *     upper bound already leaves it under low_bar.
 *
 * Built by moderation/engine/native.py with the mypyc modules; without it the engine runs
 * the Python versions, with the same verdicts.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* Character classes, as gate.SHAPE gives them. */
enum { C_SPACE = 0, C_LETTER, C_DIGIT, C_LEET, C_SEP, C_STAR, C_BANG, C_APOS, C_SLASH };

/* The bits of gate.py's FACT_* (keep in step: test_glance.py checks every one). */
#define FACT_TRIPLED (1 << 0)
#define FACT_NOT_SIMPLE (1 << 1)
#define FACT_DIGIT (1 << 2)
#define FACT_MANY_DIGITS (1 << 3)
#define FACT_LEET (1 << 4)
#define FACT_DOT_IN_WORD (1 << 5)
#define FACT_BANG_IN_NUMBER (1 << 6)
#define FACT_URL (1 << 7)
#define FACT_HASH (1 << 8)
#define FACT_COLON_OR_EQUALS (1 << 9)
#define FACT_LONG_REST (1 << 10)
#define FACT_LONG_LETTERS (1 << 11)
#define FACT_SINGLE_RUN (1 << 12)

static unsigned char CLASS[256];

static void
classes_init(void)
{
    for (int c = 0; c < 256; c++) {
        unsigned char k = C_SPACE;
        if (c >= 'a' && c <= 'z')
            k = C_LETTER;
        else if ((c >= '0' && c <= '9') || c == 178 || c == 179 || c == 185)
            k = C_DIGIT; /* str.isdigit() of chr(c): also the Latin-1 superscripts */
        else if (c == '@' || c == '$' || c == '|' || c == '+')
            k = C_LEET;
        else if (c == '.' || c == '_' || c == '~' || c == '-')
            k = C_SEP;
        else if (c == '*')
            k = C_STAR;
        else if (c == '!')
            k = C_BANG;
        else if (c == '\'')
            k = C_APOS;
        else if (c == '/')
            k = C_SLASH;
        CLASS[c] = k;
    }
}

static long
byte_facts(const unsigned char *s, Py_ssize_t n)
{
    long facts = 0;
    Py_ssize_t rest = 0, digits = 0, letters_run = 0;
    int leet_or_star = 0, bang_touching = 0, digit_touching = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        unsigned char k = CLASS[c];
        unsigned char next = i + 1 < n ? CLASS[s[i + 1]] : C_SPACE;
        unsigned char prev = i > 0 ? CLASS[s[i - 1]] : C_SPACE;
        if (c != ' ' && i + 2 < n && s[i + 1] == c && s[i + 2] == c)
            facts |= FACT_TRIPLED;
        if (k == C_LETTER) {
            if (++letters_run >= 20)
                facts |= FACT_LONG_LETTERS;
            continue;
        }
        letters_run = 0;
        if (c == ':') {
            facts |= FACT_COLON_OR_EQUALS;
            if (i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
                facts |= FACT_URL;
        }
        else if (c == '=')
            facts |= FACT_COLON_OR_EQUALS;
        else if (c == '#')
            facts |= FACT_HASH;
        if (k == C_SPACE || k == C_APOS)
            continue;
        rest++;
        switch (k) {
        case C_DIGIT:
            digits++;
            facts |= FACT_DIGIT;
            if (next == C_LETTER || next == C_APOS || prev == C_LETTER || prev == C_APOS)
                digit_touching = 1;
            break;
        case C_LEET:
            facts |= FACT_LEET;
            leet_or_star = 1;
            break;
        case C_STAR:
            leet_or_star = 1;
            break;
        case C_BANG:
            if (next == C_LETTER || next == C_DIGIT || next == C_APOS)
                bang_touching = 1;
            if (prev == C_LETTER && next == C_DIGIT)
                facts |= FACT_BANG_IN_NUMBER;
            break;
        case C_SEP:
            if (next == C_LETTER || (prev == C_LETTER && next == C_DIGIT))
                facts |= FACT_DOT_IN_WORD;
            break;
        default: /* C_SLASH */
            break;
        }
    }
    if (digits >= 7)
        facts |= FACT_MANY_DIGITS;
    if (rest >= 15)
        facts |= FACT_LONG_REST;
    if (leet_or_star || bang_touching || digit_touching)
        facts |= FACT_NOT_SIMPLE;
    return facts;
}

static PyObject *
glance_facts(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 2 || !PyBytes_Check(args[0]) || !PyList_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "facts(lowered: bytes, words: list[bytes])");
        return NULL;
    }
    long facts = byte_facts((const unsigned char *)PyBytes_AS_STRING(args[0]),
                            PyBytes_GET_SIZE(args[0]));
    PyObject *words = args[1];
    Py_ssize_t run = 0;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(words); i++) {
        PyObject *word = PyList_GET_ITEM(words, i);
        if (!PyBytes_Check(word)) {
            PyErr_SetString(PyExc_TypeError, "words must be bytes");
            return NULL;
        }
        run = PyBytes_GET_SIZE(word) == 1 ? run + 1 : 0;
        if (run >= 3) {
            facts |= FACT_SINGLE_RUN;
            break;
        }
    }
    return PyLong_FromLong(facts);
}

/* weights[word], honouring a dict subclass's __missing__ (risk._GateWeights works a word's
 * weight out on a miss); a new reference. */
static PyObject *
weight_of(PyObject *weights, PyObject *word)
{
    PyObject *value = PyDict_GetItemWithError(weights, word);
    if (value != NULL) {
        Py_INCREF(value);
        return value;
    }
    if (PyErr_Occurred())
        return NULL;
    return PyObject_GetItem(weights, word);
}

/* Adds pairs.get((first, second), 0.0) to *sum, or only its positive part when
 * positive_only (max(weight, 0.0)); -1 on error. */
static int
add_pair(PyObject *pairs, PyObject *first, PyObject *second, double *sum, int positive_only)
{
    PyObject *key = PyTuple_Pack(2, first, second);
    if (key == NULL)
        return -1;
    PyObject *value = PyDict_GetItemWithError(pairs, key);
    Py_DECREF(key);
    if (value == NULL) {
        if (PyErr_Occurred())
            return -1;
        *sum += 0.0;
        return 0;
    }
    double weight = PyFloat_AsDouble(value);
    if (weight == -1.0 && PyErr_Occurred())
        return -1;
    *sum += positive_only && !(weight > 0.0) ? 0.0 : weight;
    return 0;
}

static PyObject *
glance_gate_total(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5 || !PyList_Check(args[0]) || !PyDict_Check(args[2])
        || !PyDict_Check(args[3])) {
        PyErr_SetString(PyExc_TypeError,
                        "gate_total(words: list, distinct, weights: dict, pairs: dict, "
                        "low_bar: float)");
        return NULL;
    }
    PyObject *words = args[0], *distinct = args[1], *weights = args[2], *pairs = args[3];
    double low_bar = PyFloat_AsDouble(args[4]);
    if (low_bar == -1.0 && PyErr_Occurred())
        return NULL;

    double total = 0.0;
    PyObject *iterator = PyObject_GetIter(distinct), *word;
    if (iterator == NULL)
        return NULL;
    while ((word = PyIter_Next(iterator)) != NULL) {
        PyObject *value = weight_of(weights, word);
        Py_DECREF(word);
        if (value == NULL) {
            Py_DECREF(iterator);
            return NULL;
        }
        double weight = PyFloat_AsDouble(value);
        Py_DECREF(value);
        if (weight == -1.0 && PyErr_Occurred()) {
            Py_DECREF(iterator);
            return NULL;
        }
        total += weight;
    }
    Py_DECREF(iterator);
    if (PyErr_Occurred())
        return NULL;

    Py_ssize_t count = PyList_GET_SIZE(words);
    if (count > 1) {
        Py_ssize_t distinct_count = PyObject_Size(distinct);
        if (distinct_count < 0)
            return NULL;
        double pair_sum = 0.0;
        if (distinct_count < count) {
            /* A repeated word may repeat a pair: first the bound (every pair's positive
             * weight, repeats counted again), then each distinct pair once, in the order
             * Python's set of them gives. */
            double bound = 0.0;
            for (Py_ssize_t i = 0; i + 1 < count; i++) {
                if (add_pair(pairs, PyList_GET_ITEM(words, i), PyList_GET_ITEM(words, i + 1),
                             &bound, 1) < 0)
                    return NULL;
            }
            if (total + bound < low_bar)
                Py_RETURN_NONE;
            PyObject *seen = PySet_New(NULL);
            if (seen == NULL)
                return NULL;
            for (Py_ssize_t i = 0; i + 1 < count; i++) {
                PyObject *key = PyTuple_Pack(2, PyList_GET_ITEM(words, i),
                                             PyList_GET_ITEM(words, i + 1));
                if (key == NULL || PySet_Add(seen, key) < 0) {
                    Py_XDECREF(key);
                    Py_DECREF(seen);
                    return NULL;
                }
                Py_DECREF(key);
            }
            PyObject *pair_iterator = PyObject_GetIter(seen), *pair;
            Py_DECREF(seen);
            if (pair_iterator == NULL)
                return NULL;
            while ((pair = PyIter_Next(pair_iterator)) != NULL) {
                int failed = add_pair(pairs, PyTuple_GET_ITEM(pair, 0), PyTuple_GET_ITEM(pair, 1),
                                      &pair_sum, 0);
                Py_DECREF(pair);
                if (failed) {
                    Py_DECREF(pair_iterator);
                    return NULL;
                }
            }
            Py_DECREF(pair_iterator);
            if (PyErr_Occurred())
                return NULL;
        }
        else {
            for (Py_ssize_t i = 0; i + 1 < count; i++) {
                if (add_pair(pairs, PyList_GET_ITEM(words, i), PyList_GET_ITEM(words, i + 1),
                             &pair_sum, 0) < 0)
                    return NULL;
            }
        }
        total += pair_sum;
    }
    return PyFloat_FromDouble(total);
}

static PyMethodDef glance_methods[] = {
    {"facts", (PyCFunction)(void (*)(void))glance_facts, METH_FASTCALL,
     "facts(lowered, words) -> int: the FACT_* bits of gate.py"},
    {"gate_total", (PyCFunction)(void (*)(void))glance_gate_total, METH_FASTCALL,
     "gate_total(words, distinct, weights, pairs, low_bar) -> float | None"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef glance_module = {
    PyModuleDef_HEAD_INIT, "_glance", "The engine's first look at a message, in C.", -1,
    glance_methods,
};

PyMODINIT_FUNC
PyInit__glance(void)
{
    classes_init();
    return PyModule_Create(&glance_module);
}
