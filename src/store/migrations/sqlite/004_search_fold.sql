-- placeholder: replaced by the search-fold branch
SELECT 1;
