"""Reading DICOM study folders, one concern per module.

`records` (the data types), `walk` (which files are study files), `tags` (typed, validated
header values), `header` (reading and checking one file's header), `pixel_data` (where a
file's pixel data sits and its fragments), `codestream` (a compressed frame's own header),
`decode` (stored values of one frame), `stacks` (repeat acquisitions), `index` (a folder's
studies and series) and `config` (pydicom's settings, applied once by the application).
"""
