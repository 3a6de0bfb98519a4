"""The one thing pyproject.toml cannot declare yet (stably): our C extension.

Skein-1024 for image digests is our own C (pot/images/skein1024.h), compiled at install
time: installing needs a C compiler and the Python headers. Everything else about the
package is in pyproject.toml.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "pot.images._skein1024",
            sources=["pot/images/_skein1024.c"],
            depends=["pot/images/skein1024.h"],
        )
    ]
)
