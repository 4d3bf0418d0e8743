"""The course's autograder: release, grade, collect, export. Never shipped to students."""
