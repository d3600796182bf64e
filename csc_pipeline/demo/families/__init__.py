"""One module per source family (or per group of families published in one file set).

Each module declares ``FAMILIES``, the catalog families whose demo files it writes, and defines
``write(model, files)``; ``csc_pipeline.demo.writer`` finds the modules by scanning this package, so
adding a family's demo data is adding one module here. A family module imports only the kit
(``model``, ``numbers``, ``formats``, ``inspections``, ``spending``), never another family module.
"""
