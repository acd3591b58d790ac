"""How plans and runs read: lines for a person, JSON for machines, CI log sections and the
merge request note. Every line and every JSON string passes through one `Privacy`."""
