/*
 * Skein-1024-1024 for pot: a CPython extension module.
 *
 * SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026, the bsdpot-py authors. All rights reserved.
 *
 * Redistribution and use in source and binary forms, with or without modification, are
 * permitted provided that the following conditions are met:
 * 1. Redistributions of source code must retain the above copyright notice, this list of
 *    conditions and the following disclaimer.
 * 2. Redistributions in binary form must reproduce the above copyright notice, this list
 *    of conditions and the following disclaimer in the documentation and/or other
 *    materials provided with the distribution.
 * 3. Neither the name of the copyright holder nor the names of its contributors may be
 *    used to endorse or promote products derived from this software without specific
 *    prior written permission.
 *
 * THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY
 * EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES
 * OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT
 * SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT,
 * INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED
 * TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR
 * BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN
 * CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY
 * WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
 *
 * Written from the specification: "The Skein Hash Function Family", version 1.3
 * (Ferguson, Lucks, Schneier, Whiting, Bellare, Kohno, Callas, Walker). Only what
 * FreeBSD's `skein1024` computes is here: plain hashing (no key, no tree), a 1024-bit
 * state and a 1024-bit output.
 *
 * The engine (skein1024.h) is plain C with no Python in it, so bench/ can build a
 * `skein1024 -q` command from the same source.
 */

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>

#include "skein1024.h"

/* Below this many bytes, releasing and taking back the GIL costs more than it frees. */
#define GIL_MINSIZE 4096

typedef struct {
    PyObject_HEAD
    sk1024_state state;
    /* update() runs without the GIL: this keeps two threads off one state */
    PyThread_type_lock lock;
} Skein1024Object;

static PyTypeObject Skein1024Type;

static void
lock_state(Skein1024Object *self)
{
    if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
}

static Skein1024Object *
new_object(PyTypeObject *type)
{
    Skein1024Object *self = (Skein1024Object *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->lock = PyThread_allocate_lock();
    if (self->lock == NULL) {
        Py_DECREF(self);
        PyErr_SetString(PyExc_MemoryError, "cannot allocate a lock");
        return NULL;
    }
    return self;
}

static int
feed(Skein1024Object *self, PyObject *data)
{
    Py_buffer view;

    if (PyUnicode_Check(data)) {
        PyErr_SetString(PyExc_TypeError, "Strings must be encoded before hashing");
        return -1;
    }
    if (PyObject_GetBuffer(data, &view, PyBUF_SIMPLE) < 0) {
        return -1;
    }
    if (view.len >= GIL_MINSIZE) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(self->lock, WAIT_LOCK);
        sk1024_update(&self->state, view.buf, (size_t)view.len);
        PyThread_release_lock(self->lock);
        Py_END_ALLOW_THREADS
    }
    else {
        lock_state(self);
        sk1024_update(&self->state, view.buf, (size_t)view.len);
        PyThread_release_lock(self->lock);
    }
    PyBuffer_Release(&view);
    return 0;
}

static PyObject *
Skein1024_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyObject *data = NULL;
    Skein1024Object *self;

    if (kwds != NULL && PyDict_GET_SIZE(kwds) != 0) {
        PyErr_SetString(PyExc_TypeError, "skein1024() takes no keyword arguments");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "skein1024", 0, 1, &data)) {
        return NULL;
    }
    self = new_object(type);
    if (self == NULL) {
        return NULL;
    }
    sk1024_init(&self->state);
    if (data != NULL && feed(self, data) < 0) {
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static void
Skein1024_dealloc(Skein1024Object *self)
{
    if (self->lock != NULL) {
        PyThread_free_lock(self->lock);
    }
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *
Skein1024_update(Skein1024Object *self, PyObject *data)
{
    if (feed(self, data) < 0) {
        return NULL;
    }
    Py_RETURN_NONE;
}

static void
final_digest(Skein1024Object *self, unsigned char out[SK1024_DIGEST_BYTES])
{
    sk1024_state copy;

    lock_state(self);
    copy = self->state;
    PyThread_release_lock(self->lock);
    /* on a copy: more data may follow a digest, as with hashlib */
    sk1024_final(&copy, out);
}

static PyObject *
Skein1024_digest(Skein1024Object *self, PyObject *Py_UNUSED(ignored))
{
    unsigned char out[SK1024_DIGEST_BYTES];

    final_digest(self, out);
    return PyBytes_FromStringAndSize((const char *)out, SK1024_DIGEST_BYTES);
}

static PyObject *
Skein1024_hexdigest(Skein1024Object *self, PyObject *Py_UNUSED(ignored))
{
    static const char hex[] = "0123456789abcdef";
    unsigned char out[SK1024_DIGEST_BYTES];
    char text[2 * SK1024_DIGEST_BYTES];

    final_digest(self, out);
    for (int i = 0; i < SK1024_DIGEST_BYTES; i++) {
        text[2 * i] = hex[out[i] >> 4];
        text[2 * i + 1] = hex[out[i] & 0x0f];
    }
    return PyUnicode_FromStringAndSize(text, sizeof text);
}

static PyObject *
Skein1024_copy(Skein1024Object *self, PyObject *Py_UNUSED(ignored))
{
    Skein1024Object *other = new_object(Py_TYPE(self));

    if (other == NULL) {
        return NULL;
    }
    lock_state(self);
    other->state = self->state;
    PyThread_release_lock(self->lock);
    return (PyObject *)other;
}

static PyObject *
Skein1024_get_int(Skein1024Object *Py_UNUSED(self), void *closure)
{
    return PyLong_FromLong((long)(intptr_t)closure);
}

static PyObject *
Skein1024_get_name(Skein1024Object *Py_UNUSED(self), void *Py_UNUSED(closure))
{
    return PyUnicode_FromString("skein1024");
}

static PyMethodDef Skein1024_methods[] = {
    {"update", (PyCFunction)Skein1024_update, METH_O,
     "Feed a bytes-like object to the hash (without the GIL for large ones)."},
    {"digest", (PyCFunction)Skein1024_digest, METH_NOARGS,
     "The 128-byte digest of everything fed so far."},
    {"hexdigest", (PyCFunction)Skein1024_hexdigest, METH_NOARGS,
     "The digest as 256 lowercase hex digits."},
    {"copy", (PyCFunction)Skein1024_copy, METH_NOARGS,
     "An independent hasher in the same state."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef Skein1024_getset[] = {
    {"digest_size", (getter)Skein1024_get_int, NULL, "bytes in a digest",
     (void *)(intptr_t)SK1024_DIGEST_BYTES},
    {"block_size", (getter)Skein1024_get_int, NULL, "bytes in a block",
     (void *)(intptr_t)SK1024_BLOCK_BYTES},
    {"name", (getter)Skein1024_get_name, NULL, "the algorithm's name", NULL},
    {NULL, NULL, NULL, NULL, NULL},
};

static PyTypeObject Skein1024Type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "pot.images._skein1024.skein1024",
    .tp_doc = PyDoc_STR("skein1024(data=b'', /): a Skein-1024-1024 hasher"),
    .tp_basicsize = sizeof(Skein1024Object),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Skein1024_new,
    .tp_dealloc = (destructor)Skein1024_dealloc,
    .tp_methods = Skein1024_methods,
    .tp_getset = Skein1024_getset,
};

static struct PyModuleDef skein1024_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "pot.images._skein1024",
    .m_doc = PyDoc_STR("Skein-1024-1024, as FreeBSD's skein1024 computes it."),
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__skein1024(void)
{
    PyObject *module;

    if (PyType_Ready(&Skein1024Type) < 0) {
        return NULL;
    }
    module = PyModule_Create(&skein1024_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "skein1024", (PyObject *)&Skein1024Type) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
