"""The catalog: courses, modules, activities and lessons (articles, video, ebooks), authoring, search,
and the course and lesson pages."""
