"""
Packaging for qtwisted.

The package list is explicit: C{find_packages()} never finds
C{twisted.plugins}, which must stay a directory without C{__init__.py}.
"""

from setuptools import setup

setup(
    name="qtwisted",
    version="0.1.0.dev0",
    description=(
        "Qt's network server classes (QTcpServer, QSslServer, QWebSocketServer)"
        " re-implemented in pure Python on Twisted"
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.11",
    packages=["qtwisted", "qtwisted._ssl", "twisted.plugins"],
    package_data={"qtwisted": ["py.typed", "demo/*.html", "demo/*.js"]},
    include_package_data=False,
    install_requires=[
        "Twisted>=24.7",
        "autobahn>=24.4",
        "pyOpenSSL>=24.2",
        "cryptography>=42",
        "service-identity>=24.1",
    ],
    extras_require={
        "test": ["mypy>=1.10", "mypy-zope>=1.0.5", "websockets>=13"],
        "docs": ["pydoctor>=24.3"],
    },
    classifiers=[
        "Framework :: Twisted",
        "Programming Language :: Python :: 3",
        "Typing :: Typed",
    ],
)
